"""What fan-out needs: the followers of an author, who unfollowed lately, their tweets, the timelines it writes, where chunks go, and the queue it drains."""

from collections.abc import Sequence
from typing import Protocol

from services.common.kernel.pagination import Page, PageRequest
from services.common.messaging.outbox.store import QueueStats
from services.fanout.domain import Chunk


class FollowerSource(Protocol):
    async def follower_ids(self, user_id: int, page: PageRequest) -> Page[int]: ...

    async def is_celebrity(self, user_id: int) -> bool: ...

    async def is_following(self, follower_id: int, followee_id: int) -> bool: ...

    async def followers_among(self, followee_id: int, candidate_ids: Sequence[int]) -> set[int]:
        """The candidates who follow followee_id now."""


class UnfollowMarks(Protocol):
    """Who unfollowed whom lately (for as long as an add may still be on its way, the timelines' TTL)."""

    async def mark(self, follower_id: int, followee_id: int) -> None: ...

    async def marked(self, followee_id: int, follower_ids: Sequence[int]) -> set[int]:
        """Those of the followers who unfollowed followee_id lately (they may have followed again since)."""


class AuthorTweets(Protocol):
    async def recent_ids(self, author_ids: Sequence[int], before: int | None, limit: int) -> list[int]: ...

    async def ids_ever_posted_by(self, author_id: int, limit: int) -> list[int]: ...


class TimelineWriter(Protocol):
    """The cached home timelines that fan-out writes (the Timeline service reads them)."""

    async def add(self, user_ids: Sequence[int], tweet_ids: Sequence[int]) -> int:
        """Adds ids to the timelines that are held (others are skipped); returns how many entries were written."""

    async def remove(self, user_ids: Sequence[int], tweet_ids: Sequence[int]) -> int:
        """Removes ids wherever present; returns how many entries were removed."""

    async def drop(self, user_id: int) -> None: ...


class ReaderNotices(Protocol):
    """What the Timeline service keeps for fast reads (each reader's followed celebrities and account,
    cards of tweets), told when follows, accounts or tweets change: again, after the services that
    made the change told it as they committed, so a notice lost there is made good here."""

    async def readers_changed(self, user_ids: Sequence[int]) -> None: ...

    async def account_deleted(self, user_id: int) -> None: ...

    async def deleted(self, tweet_ids: Sequence[int]) -> None: ...


class ChunkQueue(Protocol):
    """Takes chunk jobs for any worker to apply (RabbitMQ); without one, chunks are applied in place."""

    async def submit(self, chunk: Chunk) -> None: ...


class EventQueue(Protocol):
    async def stats(self) -> QueueStats: ...
