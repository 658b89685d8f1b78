"""The columns both tweet stores select for a tweet, a new tweet's values for them, and the tweet a row of them holds."""

from collections.abc import Sequence
from typing import Any

from services.tweet.domain import Tweet

_FIELDS = (
    "tweet_id", "author_id", "text", "in_reply_to_tweet_id", "retweet_of_tweet_id",
    "like_count", "retweet_count", "reply_count",
)  # fmt: skip
TWEET_COLUMNS = ", ".join(_FIELDS)


def new_row(tweet: Tweet) -> tuple[int, int, str, int, int]:
    """A new tweet's values for TWEET_COLUMNS, all but its counts (0 at first)."""
    return tweet.tweet_id, tweet.author_id, tweet.text, tweet.in_reply_to_tweet_id, tweet.retweet_of_tweet_id


def tweet_from_row(row: Sequence[Any]) -> Tweet:
    """The tweet in a row that starts with TWEET_COLUMNS, in their order."""
    return Tweet(*row[: len(_FIELDS)])
