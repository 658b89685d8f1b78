"""The tweet service's tables and indexes in PostgreSQL, as numbered migrations.

Append new migrations to the list; never edit or reorder one that shipped.
Ids are unsigned 64-bit in the API, but Snowflake ids stay below 2^63, so
BIGINT holds them.
"""

from services.common.messaging.outbox.postgres_store import MIGRATION as OUTBOX_MIGRATION
from services.common.storage.leases import MIGRATION as LEASE_MIGRATION
from services.common.storage.postgres import revision_migration

TWEET_TABLES = """
CREATE TABLE tweets (
  tweet_id BIGINT PRIMARY KEY,
  author_id BIGINT NOT NULL,
  text TEXT NOT NULL,
  in_reply_to_tweet_id BIGINT NOT NULL DEFAULT 0,
  retweet_of_tweet_id BIGINT NOT NULL DEFAULT 0,
  like_count BIGINT NOT NULL DEFAULT 0,
  retweet_count BIGINT NOT NULL DEFAULT 0,
  reply_count BIGINT NOT NULL DEFAULT 0,
  deleted BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX tweets_by_author ON tweets (author_id, tweet_id);
CREATE INDEX replies_by_parent ON tweets (in_reply_to_tweet_id, tweet_id) WHERE in_reply_to_tweet_id <> 0;
CREATE UNIQUE INDEX one_retweet_per_user
  ON tweets (author_id, retweet_of_tweet_id) WHERE retweet_of_tweet_id <> 0 AND NOT deleted;
CREATE TABLE likes (
  tweet_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  PRIMARY KEY (tweet_id, user_id)
);
CREATE INDEX likes_by_user ON likes (user_id, tweet_id);
"""

MIGRATIONS: list[str] = [TWEET_TABLES, OUTBOX_MIGRATION, revision_migration("tweets"), LEASE_MIGRATION]
