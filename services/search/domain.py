"""What search holds and answers, as plain values: indexed tweets, queries, results, the index's state."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from services.common.kernel.hashtags import extract_hashtags
from services.common.kernel.ids import created_at
from services.common.kernel.mentions import mentions_in

MAX_TERM_BYTES = 65_535  # the index can't hold a longer term: such a tweet is set aside before it reaches the writer
MAX_TEXT_BYTES = 64 * 1024


class Unindexable(ValueError):
    """A tweet the index can't hold; it is logged and set aside, and indexing goes on."""


class Order(Enum):
    RECENCY = "recency"
    RELEVANCE = "relevance"


class IndexState(Enum):
    READY = "ready"
    CATCHING_UP = "catching up"


@dataclass(frozen=True)
class IndexedTweet:
    """A tweet as the index keeps it: its text, and the raw terms taken from it."""

    tweet_id: int
    author_id: int
    text: str
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()

    @property
    def created(self) -> datetime:
        return created_at(self.tweet_id)

    @classmethod
    def of(cls, tweet_id: int, author_id: int, text: str) -> "IndexedTweet":
        """Raises Unindexable for a text the index can't take (checked before it reaches the writer)."""
        if len(text.encode()) > MAX_TEXT_BYTES:
            raise Unindexable(f"tweet {tweet_id}: text of {len(text.encode())} bytes, over {MAX_TEXT_BYTES}")
        tweet = cls(tweet_id, author_id, text, hashtags_in(text), mentions_in(text))
        longest = max((len(t.encode()) for t in tweet.hashtags + tweet.mentions), default=0)
        if longest > MAX_TERM_BYTES:
            raise Unindexable(f"tweet {tweet_id}: a term of {longest} bytes, over {MAX_TERM_BYTES}")
        return tweet


def hashtags_in(text: str) -> tuple[str, ...]:
    return tuple(extract_hashtags(text))  # as Trending counts them


@dataclass(frozen=True)
class Found:
    """A hydrated result, ready to show: `shown` is the tweet as the contract encodes it, with the viewer's state."""

    tweet_id: int
    shown: bytes
    authors: tuple[int, ...] = ()  # the tweet's author and, for a retweet, the original's: what visibility judges


@dataclass
class IndexStatus:
    state: IndexState = IndexState.READY
    indexed: int = 0
    rebuild_scanned: int = 0
    set_aside: set[int] = field(default_factory=set)  # tweets the index can't hold: each counted once

    @property
    def dead_letters(self) -> int:
        return len(self.set_aside)
