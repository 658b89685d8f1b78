"""Marks that end access tokens before they expire (deleted accounts, ended sessions), as every verifier sees them.

A mark is kept `kept_seconds` (longer than an access token lives), then
forgotten, so memory holds only the marks of one token lifetime. In
memory on the embedded mesh (one process: the marker is the checker, seen
at once). With Redis, a sorted set (member → when marked) that every
process copies into its own memory every POLL_SECONDS, so a mark takes
effect everywhere within that.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Hashable

from redis.asyncio import Redis, RedisCluster

from services.common.runtime.concurrency import cancel_and_wait, stop_if_cancelled
from services.common.runtime.tracing import untraced

log = logging.getLogger("chirp.tokens")
POLL_SECONDS = 1.0
KEPT_SECONDS = 2 * 24 * 3600  # longer than any access token lives (at most a day)


class MemoryMarks:
    def __init__(self, kept_seconds: float = KEPT_SECONDS):
        self._marked: dict[Hashable, float] = {}
        self._kept = kept_seconds

    async def mark(self, *members: Hashable) -> None:
        now = time.time()
        self._marked.update({member: now for member in members})
        self._forget(now - self._kept)

    def is_marked(self, member: Hashable) -> bool:
        return member in self._marked

    def _forget(self, before: float) -> None:
        for member in [m for m, at in self._marked.items() if at < before]:
            del self._marked[member]

    def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


class RedisMarks(MemoryMarks):
    """The marks in one Redis sorted set (member: str(mark); score: when), copied into memory by a poller."""

    def __init__(self, redis: Redis | RedisCluster, key: str, parse: Callable[[str], Hashable], kept_seconds: float = KEPT_SECONDS):
        super().__init__(kept_seconds)
        self._redis, self._key, self._parse = redis, key, parse
        self._poller: asyncio.Task | None = None

    async def mark(self, *members: Hashable) -> None:
        if not members:
            return
        now = time.time()
        await self._redis.zadd(self._key, {str(member): now for member in members})
        await self._redis.zremrangebyscore(self._key, "-inf", now - self._kept)
        self._marked.update({member: now for member in members})

    async def refresh(self) -> None:
        entries = await self._redis.zrangebyscore(self._key, time.time() - self._kept, "+inf", withscores=True)
        self._marked = {self._parse(member.decode() if isinstance(member, bytes) else member): at for member, at in entries}

    def start(self) -> None:
        if self._poller is None:
            self._poller = asyncio.get_running_loop().create_task(self._poll())

    async def stop(self) -> None:
        if self._poller is not None:
            await cancel_and_wait(self._poller)
            self._poller = None

    async def _poll(self) -> None:
        while True:
            try:
                with untraced():  # a poll, once a second: no trace of its own
                    await self.refresh()
            except Exception as error:  # Redis away: keep the last copy, try again
                stop_if_cancelled(error)
                log.warning("could not read %s from Redis: %s", self._key, error)
            await asyncio.sleep(POLL_SECONDS)
