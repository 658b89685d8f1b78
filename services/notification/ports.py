"""What notification needs: its store, and from other services a tweet's author, handles and hidden accounts."""

from collections.abc import Sequence
from typing import Protocol

from services.notification.domain import Activity, Group, Hidden, Undo


class NotificationStore(Protocol):
    """Groups of activities per recipient, their kept actors and each recipient's read position.

    Every write is idempotent for the actors it keeps: adding a kept actor again, or undoing an actor
    twice, changes nothing."""

    async def add(self, activity: Activity, window_ms: int) -> bool:
        """Counts the actor into the recipient's group of that kind and subject in the activity's window
        (opened if none); False when the actor is already kept in such a group."""

    async def undo(self, undo: Undo, beyond_kept: bool) -> bool:
        """Takes the actor out of the group that keeps it; else, when beyond_kept, one from the newest
        group that counts more actors than it keeps. A group left with no actors goes. False: nothing changed."""

    async def remove_caused_by(self, tweet_id: int) -> None:
        """Takes out every kept actor whose action was this tweet (a reply, a retweet, a mention)."""

    async def remove_about(self, tweet_id: int) -> None:
        """Drops every group about this tweet (likes, retweets and replies of it; its mentions)."""

    async def remove_user(self, user_id: int) -> None:
        """Drops the user's own groups and takes them out of the groups they are kept in."""

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


class HiddenAccounts(Protocol):
    async def hidden_from(self, user_id: int) -> Hidden:
        """The accounts blocked either way with the user, and those the user muted."""
