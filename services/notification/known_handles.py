"""Notification's UserHandles with every handle it learns kept in memory.

A handle never changes once an account has it, so a listing names its actors
without asking Graph again. A deleted account is no concern here: its
actions leave the groups as its deletion is handled, and then no listing
asks for its handle. At most `capacity` handles are kept; the earliest
learned go first.
"""

from collections.abc import Sequence

from services.notification.ports import UserHandles

CAPACITY = 200_000  # about 100 bytes each


class KnownHandles:
    def __init__(self, handles: UserHandles, capacity: int = CAPACITY):
        self._handles, self._capacity = handles, capacity
        self._known: dict[int, str] = {}

    async def user_ids(self, handles: Sequence[str]) -> list[int]:
        return await self._handles.user_ids(handles)

    async def handles(self, user_ids: Sequence[int]) -> dict[int, str]:
        missing = [user_id for user_id in user_ids if user_id not in self._known]
        if missing:
            self._learn(await self._handles.handles(missing))
        return {user_id: self._known[user_id] for user_id in user_ids if user_id in self._known}

    def _learn(self, handles: dict[int, str]) -> None:
        self._known.update(handles)
        for _ in range(len(self._known) - self._capacity):
            del self._known[next(iter(self._known))]
