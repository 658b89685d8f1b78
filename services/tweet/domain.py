"""Tweets, and the rules for their text, as plain values."""

import unicodedata
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    from twitter_text import parse_tweet

from services.common.kernel.errors import InvalidArgument
from services.common.kernel.ids import created_at, valid_id

MAX_WEIGHTED_LENGTH = 280
MAX_RAW_LENGTH = 4096
MAX_BATCH_TWEETS = 200
MAX_RECENT_AUTHORS = 10_000  # how many authors one recent-ids read may name
MAX_RECENT_IDS = 100_000  # the most ids one recent-ids read returns (a timeline's capacity at most)
MAX_SCAN_TWEETS = 5_000  # the most tweets one scan (a search index rebuilding) returns


@dataclass(frozen=True)
class Tweet:
    tweet_id: int
    author_id: int
    text: str
    in_reply_to_tweet_id: int = 0
    retweet_of_tweet_id: int = 0
    like_count: int = 0
    retweet_count: int = 0
    reply_count: int = 0

    @property
    def created_at(self) -> datetime:
        return created_at(self.tweet_id)

    @property
    def original_id(self) -> int:
        """The tweet that likes, replies and retweets of this one land on."""
        return self.retweet_of_tweet_id or self.tweet_id

    @property
    def parent_ids(self) -> list[int]:
        """The tweet whose reply or retweet count this one adds to, if any."""
        return [parent for parent in (self.in_reply_to_tweet_id, self.retweet_of_tweet_id) if parent]


@dataclass(frozen=True)
class Author:
    """The account shown beside a tweet, as the graph last described it."""

    user_id: int
    handle: str
    display_name: str
    created_at: datetime
    follower_count: int = 0
    following_count: int = 0
    celebrity: bool = False


@dataclass(frozen=True)
class TweetView:
    """A tweet as a reader sees it: with its author, its original, and the reader's own state."""

    tweet: Tweet
    author: Author
    retweeted: "TweetView | None" = None
    viewer_liked: bool = False
    viewer_retweeted: bool = False

    @property
    def original_id(self) -> int:
        return self.tweet.original_id

    @property
    def authors(self) -> tuple[int, ...]:
        """The tweet's author and, for a retweet, the original's: what visibility judges."""
        return (self.author.user_id, self.retweeted.author.user_id) if self.retweeted else (self.author.user_id,)


class Shown(NamedTuple):
    """A tweet ready to show, as kept for reading: `encoded` is its contract message with the viewer's state.
    A named tuple: a page makes one per tweet, and a tuple is made in a fraction of a frozen dataclass's time."""

    tweet_id: int
    encoded: bytes
    authors: tuple[int, ...] = ()  # the tweet's author and, for a retweet, the original's: what visibility judges


def valid_text(text: str) -> str:
    """The text NFC-normalised, if twitter-text accepts it and it weighs at most 280."""
    if len(text) > MAX_RAW_LENGTH:
        raise InvalidArgument(
            f"text is {len(text)} characters long; a tweet weighs at most {MAX_WEIGHTED_LENGTH}", field="text"
        )
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise InvalidArgument("text is empty: a tweet needs at least one visible character", field="text")
    weight, accepted = weigh(text)
    if weight > MAX_WEIGHTED_LENGTH:
        raise InvalidArgument(
            f"text weighs {weight} characters; the limit is {MAX_WEIGHTED_LENGTH} "
            "(a URL counts 23, CJK characters and emoji count 2)",
            field="text",
        )
    if not accepted or "\x00" in text:  # twitter-text allows NUL; PostgreSQL text can't hold it
        raise InvalidArgument(
            "text contains a character that tweets may not hold (such as U+0000, U+FFFE, U+FEFF or U+FFFF)",
            field="text",
        )
    return text


def weigh(text: str) -> tuple[int, bool]:
    """twitter-text's weighted length of the text, and whether it accepts it. ASCII without a '.' holds no
    URL (twitter-text finds none without one), no emoji and no character it refuses, and each character
    weighs 1 once a CRLF counts as one: that is weighed without parsing (a tenth of a post's work)."""
    if text.isascii() and "." not in text:
        weight = len(text) - text.count("\r\n")
        return weight, 0 < weight <= MAX_WEIGHTED_LENGTH
    parsed = parse_tweet(text)
    return parsed.weightedLength, parsed.valid


def valid_tweet_id(tweet_id: int, field: str = "tweet_id") -> int:
    return valid_id(tweet_id, field, "tweet")
