"""Users read through the Redis row cache, with follower and following counts that stay exact.

Reads by id come from the cache and fill it from PostgreSQL. Every write
marks the users whose counts it changes, runs on the store, then stores
them as committed (the rules are in services/common/storage/row_cache.py); a
deleted user becomes a tombstone. Every other read goes to the store.
"""

import json
from collections.abc import Callable, Sequence
from datetime import datetime

from services.common.kernel.events import Event
from services.common.kernel.ids import possible_ids
from services.common.storage.row_cache import Revision, RowCache
from services.graph.adapters.postgres_repository import PostgresGraphRepository
from services.graph.domain import User


def encode(user: User) -> bytes:
    fields = [user.handle, user.display_name, user.created_at.isoformat(), user.follower_count, user.following_count, user.celebrity]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()


def decode(user_id: int, payload: bytes) -> User:
    handle, name, created, followers, following, *celebrity = json.loads(payload)  # rows cached before the flag: not one
    return User(user_id, handle, name, datetime.fromisoformat(created), followers, following, bool(celebrity and celebrity[0]))


class CachedGraphRepository:
    def __init__(self, store: PostgresGraphRepository, cache: RowCache[User]):
        self._store = store
        self._cache = cache

    def __getattr__(self, name: str):
        """Reads the cache has no part in go straight to the store."""
        return getattr(self._store, name)

    async def get(self, user_id: int) -> User | None:
        found = await self.get_many([user_id])
        return found[0] if found else None

    async def get_many(self, user_ids: Sequence[int]) -> list[User]:
        unique = list(dict.fromkeys(possible_ids(user_ids)))
        found, missing = await self._cache.read(unique)
        if missing:
            rows = await self._store.revisions(missing)
            await self._cache.fill(rows)
            found.update({user_id: row.value for user_id, row in rows.items()})
        return [found[user_id] for user_id in unique if user_id in found]

    async def follow(self, follower_id: int, followee_id: int, events: list[Event]) -> bool:
        async with self._cache.write([follower_id, followee_id], self._store.revisions):
            return await self._store.follow(follower_id, followee_id, events)

    async def unfollow(self, follower_id: int, followee_id: int, events: list[Event]) -> bool:
        async with self._cache.write([follower_id, followee_id], self._store.revisions):
            return await self._store.unfollow(follower_id, followee_id, events)

    async def block(self, blocker_id: int, blocked_id: int, events_for: Callable[[list[tuple[int, int]]], list[Event]]) -> bool:
        async with self._cache.write([blocker_id, blocked_id], self._store.revisions):  # the follows it removes move counts
            return await self._store.block(blocker_id, blocked_id, events_for)

    async def delete_user(self, user_id: int, events_for: Callable[[list[int]], list[Event]]) -> bool:
        async def read(row_ids: list[int]) -> dict[int, Revision[User]]:
            return {user_id: Revision(0, None), **await self._store.revisions(row_ids)}  # absent now: a tombstone

        async with self._cache.write([user_id], read) as rows:
            return await self._store.delete_user(user_id, events_for, on_locked=rows.add)
