"""What timelines need: a cache of pushed ids, the follow graph, and tweets as cards."""

from collections.abc import Sequence
from typing import Protocol

from services.common.kernel.pagination import Page, PageRequest
from services.common.visibility.rules import HiddenAccounts
from services.timeline.domain import Card, KeptResponse


class TimelineCache(Protocol):
    """Home timelines as bounded lists of tweet ids, newest first. A cache: it may forget anything."""

    async def read(self, user_id: int, before: int | None = None, limit: int | None = None) -> list[int] | None:
        """The user's ids (below `before`, at most `limit` of them), newest first; None when the cache
        holds no complete timeline for the user."""

    async def read_many(self, user_ids: Sequence[int]) -> list[list[int] | None]:
        """`read` of each user's whole list, at once."""

    async def start(self, user_id: int) -> None:
        """Begins (re)building the user's timeline: pushes land in it from now on, reads miss until complete."""

    async def complete(self, user_id: int) -> None:
        """Marks a timeline begun with start as complete, so reads see it."""

    async def add(self, user_ids: Sequence[int], tweet_ids: Sequence[int]) -> int:
        """Adds ids to the timelines the cache holds (others are skipped), trimmed to capacity.

        Adding an id that is already there changes nothing. Returns how many entries were written."""

    async def remove(self, user_ids: Sequence[int], tweet_ids: Sequence[int]) -> int:
        """Removes ids wherever present; returns how many entries were removed."""

    async def drop(self, user_id: int) -> None: ...

    async def close(self) -> None: ...


class WarmPages(Protocol):
    async def page(self, reader_id: int, page: PageRequest, keep: bool = False) -> Page[Card] | KeptResponse | None:
        """The whole page from copies kept for reading, or None when they lack anything it needs. With keep, a
        first page may come as the response kept when it was last read (KeptResponse), or as a KeepablePage."""


class FollowGraph(Protocol):
    async def celebrities_followed_by(self, user_id: int) -> list[int]:
        """The celebrities the user follows; raises Unauthenticated when the user has no account."""

    async def following_ids(self, user_id: int) -> list[int]: ...


class HiddenFrom(Protocol):
    """The accounts hidden from a viewer (services/common/visibility gives one, kept in copies)."""

    async def hidden_from(self, viewer_id: int | None) -> HiddenAccounts: ...


class TweetSource(Protocol):
    async def recent_ids(self, author_ids: Sequence[int], before: int | None, limit: int) -> list[int]: ...

    async def ids_ever_posted_by(self, author_id: int, limit: int) -> list[int]: ...

    async def hydrate(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[Card]:
        """The visible tweets among the ids, in their order, as the viewer sees them."""


class ReaderCopies(Protocol):
    """Each reader's followed celebrities, kept for reading (their presence says the account exists)."""

    async def celebrities(self, user_id: int) -> list[int] | None: ...

    async def keep_celebrities(self, user_id: int, celebrities: list[int]) -> None: ...


class CardCopies(Protocol):
    """Hydrated cards and each viewer's state on them, kept for reading; deleted tweets as tombstones."""

    async def cards(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[Card | bool | None]:
        """For each id, the kept card with the viewer's state on it; False when it must not be shown (deleted,
        or by an account deleted lately); None when the card, or the viewer's state on it, is not kept."""

    async def keep_cards(self, viewer_id: int | None, tweet_ids: Sequence[int], fresh: dict[int, Card]) -> None:
        """Keeps the cards just read from the owning service, and the ids it did not return as tombstones;
        never over a tombstone that a delete committed meanwhile."""
