"""The tweet service's tables and indexes in SQLite."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS tweets (
  tweet_id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL,
  text TEXT NOT NULL,
  in_reply_to_tweet_id INTEGER NOT NULL DEFAULT 0,
  retweet_of_tweet_id INTEGER NOT NULL DEFAULT 0,
  like_count INTEGER NOT NULL DEFAULT 0,
  retweet_count INTEGER NOT NULL DEFAULT 0,
  reply_count INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tweets_by_author ON tweets (author_id, tweet_id);
CREATE INDEX IF NOT EXISTS replies_by_parent ON tweets (in_reply_to_tweet_id, tweet_id) WHERE in_reply_to_tweet_id != 0;
CREATE UNIQUE INDEX IF NOT EXISTS one_retweet_per_user
  ON tweets (author_id, retweet_of_tweet_id) WHERE retweet_of_tweet_id != 0 AND deleted = 0;
CREATE TABLE IF NOT EXISTS likes (
  tweet_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  PRIMARY KEY (tweet_id, user_id)
);
CREATE INDEX IF NOT EXISTS likes_by_user ON likes (user_id, tweet_id);
"""
