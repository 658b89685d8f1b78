"""What search needs: its index, tweets to show (hydration), handles of authors, and stored tweets to rebuild from."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from services.common.visibility.rules import HiddenAccounts
from services.search.domain import Found, IndexedTweet, Order
from services.search.query import SearchQuery


@dataclass(frozen=True)
class RemoveTweet:
    tweet_id: int


@dataclass(frozen=True)
class RemoveAuthor:
    author_id: int


Change = IndexedTweet | RemoveTweet | RemoveAuthor  # an IndexedTweet replaces any copy of itself: putting one twice is harmless


@dataclass(frozen=True)
class StoredTweet:
    tweet_id: int
    author_id: int
    text: str


class SearchIndex(Protocol):
    """An inverted index of tweets on disk; one writer holds it for the life of the process."""

    complete: bool  # False until a rebuild from storage finished on this index

    async def write(self, changes: Sequence[Change]) -> None:
        """Applies the changes in order and commits them; when it returns they survive a crash and are searchable."""

    async def search(self, query: SearchQuery, order: Order, cursor: int | None, limit: int) -> list[int]:
        """Matching tweet ids in the order asked for: newest first below the cursor (a tweet id), or best
        first from the cursor (an offset)."""

    async def mark_complete(self, complete: bool) -> None: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


class TweetCards(Protocol):
    async def hydrate(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[Found]:
        """The visible tweets among the ids, in their order: deleted tweets and deleted accounts' are left out."""


class HiddenFrom(Protocol):
    """The accounts hidden from a viewer (services/common/visibility gives one, kept in copies)."""

    async def hidden_from(self, viewer_id: int | None) -> HiddenAccounts: ...


class UserHandles(Protocol):
    async def user_id(self, handle: str) -> int | None:
        """The account with that handle (any letter case), or None."""


class TweetArchive(Protocol):
    """The system of record, read in id order to rebuild an index."""

    async def scan(self, after: int, limit: int) -> list[StoredTweet]:
        """Visible tweets with text and ids above `after`, oldest first; fewer than limit at the end."""
