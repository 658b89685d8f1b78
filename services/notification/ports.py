"""What notification needs: its store, and from other services a tweet's author, handles and hidden accounts."""

from collections.abc import Sequence
from typing import Protocol

from services.common.visibility.rules import HiddenAccounts
from services.notification.domain import Change, Group


class NotificationStore(Protocol):
    """Groups of activities per recipient, their kept actors and each recipient's read position.

    Every write is idempotent for the actors it keeps: adding a kept actor again, or undoing an actor
    twice, changes nothing."""

    async def apply(self, changes: Sequence[Change], window_ms: int) -> None:
        """Every change, in order, as one transaction (one event, or a batch of them).

        Activity: counts the actor into the recipient's group of that kind and subject in the activity's
        window (opened if none), unless the actor is kept in such a group already.
        Undo: takes the actor out of the group that keeps it; else, when the undo was counted, one from the
        newest group that counts more actors than it keeps.
        TweetGone: drops every group about the tweet, and takes out the kept actors whose action it was.
        UserGone: drops the user's own groups and read position, and takes them out of the groups that keep them.
        A group left with no actors goes."""

    async def page(self, recipient_id: int, before: int | None, limit: int) -> list[Group]:
        """The recipient's groups with position below `before` (None: from the newest), newest first."""

    async def unread(self, recipient_id: int, limit: int) -> list[Group]:
        """The recipient's groups after their read position, newest first, at most limit."""

    async def count_unread(self, recipient_id: int) -> int: ...

    async def read_position(self, recipient_id: int) -> int:
        """Where the recipient read up to; -1 before they ever marked anything read."""

    async def mark_read(self, recipient_id: int, position: int) -> None:
        """Moves the read position up to `position`; never back."""

    async def close(self) -> None: ...


class TweetAuthors(Protocol):
    async def author_of(self, tweet_id: int) -> int | None:
        """The author of a visible tweet; None when it is deleted or unknown."""


class UserHandles(Protocol):
    async def user_ids(self, handles: Sequence[str]) -> list[int]:
        """The accounts with these handles (unknown handles are left out)."""

    async def handles(self, user_ids: Sequence[int]) -> dict[int, str]:
        """Each existing account's handle."""


class HiddenFrom(Protocol):
    async def hidden_from(self, user_id: int) -> HiddenAccounts:
        """The accounts blocked either way with the user, and those the user muted (visibility's
        cached lookup, shared with every read path)."""
