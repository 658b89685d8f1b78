"""What a home timeline shows, as the timeline sees it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from services.common.kernel.pagination import Page

VIEWER_LIKED, VIEWER_RETWEETED = 1, 2  # the viewer's state on a tweet, as bits


class Card(NamedTuple):
    """A hydrated tweet, ready to show. The timeline orders cards and shows each original once;
    `shown` is the tweet as the contract encodes it, without the viewer's state, made by the adapter
    that hydrated it; the entrypoint adds `viewer` to it. A named tuple: a page makes one per tweet
    shown, and a tuple is made in a fraction of a frozen dataclass's time."""

    tweet_id: int
    original_id: int  # the retweeted tweet's id, or tweet_id
    authors: tuple[int, int]  # the tweet's author and the original's
    shown: bytes
    viewer: int = 0  # VIEWER_LIKED | VIEWER_RETWEETED

    @property
    def retweet(self) -> bool:
        return self.original_id != self.tweet_id


class KeptResponse(NamedTuple):
    """A reader's first page as last answered, encoded, while nothing it was read from has changed."""

    response: bytes


@dataclass(frozen=True)
class KeepablePage(Page[Card]):
    """A first page read with the stamp of what it was read from: `keep(response)` keeps the encoded response
    for the reader's next reads, as a KeptResponse, while none of that changes."""

    keep: Callable[[bytes], None]
