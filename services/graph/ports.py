"""What the graph domain needs from storage."""

from collections.abc import Callable, Sequence
from typing import Protocol

from services.common.kernel.events import Event
from services.common.kernel.pagination import Page, PageRequest
from services.graph.domain import HiddenAccounts, User


class GraphRepository(Protocol):
    """Users and edges. A repository is made with the CelebrityLine it applies: a follow, unfollow or
    deletion that moves a count across it moves the user across in the same transaction, with the event."""

    async def add_user(self, user: User) -> None:
        """Stores a new user; raises AlreadyExists when the handle is taken."""

    async def get(self, user_id: int) -> User | None: ...

    async def get_by_handle(self, handle: str) -> User | None: ...

    async def get_many(self, user_ids: Sequence[int]) -> list[User]: ...

    async def delete_user(self, user_id: int, events_for: Callable[[list[int]], list[Event]]) -> bool:
        """Deletes a user and their edges; events_for(follower_ids) gives the events to record with it.
        Followees who fall below the celebrity line stop being celebrities, with their events."""

    async def follow(self, follower_id: int, followee_id: int, events: list[Event]) -> bool:
        """Adds the edge and records events if it was new; returns whether it was. A followee whose
        count crosses the celebrity line changes side in the same transaction, with its event."""

    async def unfollow(self, follower_id: int, followee_id: int, events: list[Event]) -> bool: ...

    async def is_following(self, follower_id: int, followee_id: int) -> bool: ...

    async def followers_among(self, followee_id: int, candidate_ids: Sequence[int]) -> set[int]: ...

    async def followers_among_each(self, questions: Sequence[tuple[int, Sequence[int]]]) -> list[set[int]]:
        """followers_among for each (followee, candidates) question, in their order, in one query."""

    async def followers(self, user_id: int, page: PageRequest) -> Page[User]: ...

    async def following(self, user_id: int, page: PageRequest) -> Page[User]: ...

    async def follower_ids(self, user_id: int, page: PageRequest) -> Page[int]: ...

    async def follower_id_pages(self, requests: Sequence[tuple[int, PageRequest]]) -> list[Page[int]]:
        """follower_ids for each (user, page) request, in their order, in one query."""

    async def following_ids(self, user_id: int, celebrities_only: bool = False) -> list[int]: ...

    async def mark_celebrities(self) -> None:
        """Marks users at or over the celebrity threshold who are not marked yet."""

    async def block(self, blocker_id: int, blocked_id: int, events_for: Callable[[list[tuple[int, int]]], list[Event]]) -> bool:
        """Stores the block if both users exist and it is new, removing the follows between them both ways
        (counts moved, the celebrity line applied); events_for(removed (follower, followee) pairs) gives the
        events recorded with it. Returns whether the block is new. A follow never crosses a stored block."""

    async def unblock(self, blocker_id: int, blocked_id: int, events: list[Event]) -> bool: ...

    async def mute(self, muter_id: int, muted_id: int, events: list[Event]) -> bool:
        """Stores the mute, with its events, if both users exist and it is new; returns whether it was."""

    async def unmute(self, muter_id: int, muted_id: int, events: list[Event]) -> bool: ...

    async def is_blocked(self, first_id: int, second_id: int) -> bool:
        """Whether either user blocked the other."""

    async def hidden_accounts(self, user_id: int) -> HiddenAccounts:
        """Blocked either way, and muted by the user."""

    async def blocked_users(self, user_id: int, page: PageRequest) -> Page[User]:
        """The users user_id blocked, latest block first."""

    async def muted_users(self, user_id: int, page: PageRequest) -> Page[User]:
        """The users user_id muted, latest mute first."""


class ReadCopies(Protocol):
    """What readers keep of users for fast reads (the Timeline service's), told once a change commits,
    so the next read shows it. Best effort: the copies also expire on their own."""

    async def follows_changed(self, user_id: int) -> None: ...

    async def account_deleted(self, user_id: int) -> None: ...


class HiddenCopies(Protocol):
    """The copies of each user's hidden accounts that readers keep (services/common/visibility), written
    as a block or mute commits, so the user's next read hides what they just hid. Best effort: they lapse."""

    async def put(self, user_id: int, hidden: HiddenAccounts) -> None: ...


class RateLimiter(Protocol):
    """Per-user limits on following (services/common/limits gives one, in memory or shared through Redis)."""

    async def take(self, user_id: int, action: str) -> None:
        """Takes one of the user's tokens for the action; raises ResourceExhausted, with when to retry, when none is left."""
