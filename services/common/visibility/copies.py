"""Copies of each viewer's hidden accounts, kept so that a read costs no call to the Graph service.

The Graph service writes a user's copy as each block or mute of theirs
commits (`put`, over whatever is there); a reader that missed fills it
only if it is still absent (`fill`), so a copy read from the Graph just
before a change can't overwrite the one written after it. Copies lapse
after COPY_TTL_SECONDS (times up to TTL_SPREAD), which bounds what a lost
write leaves behind. In Redis (shared by every process: `redis_layout.py`'s
key) or, on the embedded mesh, in process memory.
"""

import random

from redis.asyncio import Redis, RedisCluster

from services.common.runtime.lapsing import Lapsing
from services.common.visibility.redis_layout import hidden_key, pack_hidden, unpack_hidden
from services.common.visibility.rules import HiddenAccounts

COPY_TTL_SECONDS = 300
TTL_SPREAD = 1.5


def _lifetime() -> int:
    return round(COPY_TTL_SECONDS * random.uniform(1, TTL_SPREAD))


class MemoryHiddenCopies:
    def __init__(self, limit: int = 200_000):
        self._copies: Lapsing[int, HiddenAccounts] = Lapsing(limit)

    async def get(self, user_id: int) -> HiddenAccounts | None:
        return self.kept(user_id)

    def kept(self, user_id: int) -> HiddenAccounts | None:
        return self._copies.get(user_id)

    async def fill(self, user_id: int, hidden: HiddenAccounts) -> None:
        if await self.get(user_id) is None:
            await self.put(user_id, hidden)

    async def put(self, user_id: int, hidden: HiddenAccounts) -> None:
        self._copies.put(user_id, hidden, _lifetime())


class RedisHiddenCopies:
    def __init__(self, redis: Redis | RedisCluster):
        self._redis = redis

    async def get(self, user_id: int) -> HiddenAccounts | None:
        value = await self._redis.get(hidden_key(user_id))
        return None if value is None else unpack_hidden(value)

    async def fill(self, user_id: int, hidden: HiddenAccounts) -> None:
        await self._redis.set(hidden_key(user_id), pack_hidden(hidden), ex=_lifetime(), nx=True)

    async def put(self, user_id: int, hidden: HiddenAccounts) -> None:
        await self._redis.set(hidden_key(user_id), pack_hidden(hidden), ex=_lifetime())
