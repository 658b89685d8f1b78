"""Accounts deleted lately, whose access tokens must stop working before they expire.

The account service marks an account when it handles `UserDeleted`; every
verifier asks `is_deleted` on each call. In memory on the embedded mesh
(one process: seen at once). With Redis, every process copies the set
into its own memory every POLL_SECONDS, so a deleted account's token
stops working everywhere within that (plus the event's lag).
"""

import asyncio
import logging
import time

from redis.asyncio import Redis, RedisCluster

from services.common.runtime.tracing import untraced
from services.common.tokens.redis_layout import DELETED_ACCOUNTS_KEY

log = logging.getLogger("chirp.tokens")
POLL_SECONDS = 1.0
KEPT_SECONDS = 2 * 24 * 3600  # longer than any access token lives (at most a day)


class MemoryDeletedAccounts:
    def __init__(self):
        self._deleted: dict[int, float] = {}

    async def mark(self, user_id: int) -> None:
        self._deleted[user_id] = time.time()
        self._forget(time.time() - KEPT_SECONDS)

    def is_deleted(self, user_id: int) -> bool:
        return user_id in self._deleted

    def _forget(self, before: float) -> None:
        for user_id in [u for u, at in self._deleted.items() if at < before]:
            del self._deleted[user_id]

    def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


class RedisDeletedAccounts(MemoryDeletedAccounts):
    """A sorted set in Redis (user id → deletion time), copied into memory by a poller."""

    def __init__(self, redis: Redis | RedisCluster):
        super().__init__()
        self._redis = redis
        self._poller: asyncio.Task | None = None

    async def mark(self, user_id: int) -> None:
        now = time.time()
        await self._redis.zadd(DELETED_ACCOUNTS_KEY, {str(user_id): now})
        await self._redis.zremrangebyscore(DELETED_ACCOUNTS_KEY, "-inf", now - KEPT_SECONDS)
        self._deleted[user_id] = now

    async def refresh(self) -> None:
        since = time.time() - KEPT_SECONDS
        entries = await self._redis.zrangebyscore(DELETED_ACCOUNTS_KEY, since, "+inf", withscores=True)
        self._deleted = {int(member): at for member, at in entries}

    def start(self) -> None:
        if self._poller is None:
            self._poller = asyncio.get_running_loop().create_task(self._poll())

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None

    async def _poll(self) -> None:
        while True:
            try:
                with untraced():  # a poll, once a second: no trace of its own
                    await self.refresh()
            except Exception as error:  # Redis away: keep the last copy, try again
                log.warning("could not read the deleted accounts from Redis: %s", error)
            await asyncio.sleep(POLL_SECONDS)
