"""What fan-out needs: the followers of an author, their tweets, and the queue it drains."""

from collections.abc import Sequence
from typing import Protocol

from services.common.outbox import QueueStats
from services.common.pagination import Page, PageRequest


class FollowerSource(Protocol):
    async def follower_ids(self, user_id: int, page: PageRequest) -> Page[int]: ...

    async def is_celebrity(self, user_id: int) -> bool: ...


class AuthorTweets(Protocol):
    async def recent_ids(self, author_ids: Sequence[int], before: int | None, limit: int) -> list[int]: ...

    async def ids_ever_posted_by(self, author_id: int, limit: int) -> list[int]: ...


class EventQueue(Protocol):
    async def stats(self) -> QueueStats: ...
