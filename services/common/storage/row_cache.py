"""A Redis cache of stored rows that never serves a count older than the store's.

Each row is one string key, `chirp:<kind>:{<id>}`, holding `<revision>|<payload>`,
where the revision is a number the store bumps on every change to the row (a
PostgreSQL trigger). Three rules keep the cache exact:

1. A fill only replaces an older revision, so a reader that read the store
   before a write can't put back what the write replaced. A deleted row is a
   final tombstone (`T|`) that nothing replaces.
2. Before a write touches the store, it marks the row as being written
   (`…:writing`, a count with an expiry) and drops the cached copy. Readers
   of a row being written go to the store and don't fill.
3. After the commit, the writer stores the row as committed and unmarks it.

A writer that dies after its commit leaves the mark, which expires after
`write_window_seconds`; the row is then filled from the store again, so
the crash costs a few store reads, never a wrong count. Both keys of a row
share a Cluster hash slot, so each script touches one slot.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from redis.asyncio import Redis, RedisCluster
from redis.exceptions import RedisError

from services.common.kernel.errors import Unavailable
from services.common.telemetry import metrics

T = TypeVar("T")
log = logging.getLogger("chirp.row_cache")
TOMBSTONE = b"T|"

_FILL = """
if ARGV[4] == 'reader' and redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if ARGV[1] == 'T' then redis.call('SET', KEYS[1], 'T|', 'PX', ARGV[3]) return 1 end
local current = redis.call('GET', KEYS[1])
if current then
  local revision = string.match(current, '^(%d+)|')
  if not revision or tonumber(revision) >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
return 1
"""
_MARK = """
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return 1
"""
_UNMARK = """
if redis.call('DECR', KEYS[2]) <= 0 then redis.call('DEL', KEYS[2]) end
return 1
"""


@dataclass(frozen=True)
class Revision(Generic[T]):
    """A row as the store holds it now: its revision, and its value (None once deleted)."""

    revision: int
    value: T | None


class WriteSet:
    """The rows one write marked, to store and unmark after its commit."""

    def __init__(self, cache: "RowCache"):
        self._cache = cache
        self.ids: list[int] = []

    async def add(self, row_ids: Sequence[int]) -> None:
        new = [row_id for row_id in dict.fromkeys(row_ids) if row_id not in self.ids]
        await self._cache.writing(new)
        self.ids.extend(new)


class RowCache(Generic[T]):
    def __init__(
        self,
        redis: Redis | RedisCluster,
        kind: str,
        encode: Callable[[T], bytes],
        decode: Callable[[int, bytes], T],
        ttl_seconds: int,
        write_window_seconds: float = 30.0,
    ):
        self._redis, self._kind = redis, kind
        self._encode, self._decode = encode, decode
        self._ttl_ms = ttl_seconds * 1000
        self._window_ms = int(write_window_seconds * 1000)
        self._fill, self._mark, self._unmark = (redis.register_script(s) for s in (_FILL, _MARK, _UNMARK))

    def key(self, row_id: int) -> str:
        return f"chirp:{self._kind}:{{{row_id}}}"

    async def read(self, row_ids: Sequence[int]) -> tuple[dict[int, T], list[int]]:
        """(rows found, ids to read from the store). Deleted rows are left out of both.

        When Redis can't answer, every id goes to the store: reads stay exact."""
        try:
            replies = await self._rows_and_marks(row_ids)
        except RedisError as error:
            log.warning("the %s cache is unreachable (%s); reading the store", self._kind, error)
            return {}, list(row_ids)
        found, missing = {}, []
        for row_id, value, writing in zip(row_ids, replies[0::2], replies[1::2]):
            if value is None or writing:
                missing.append(row_id)
            elif value != TOMBSTONE:
                found[row_id] = self._decode(row_id, value.split(b"|", 1)[1])
        metrics.looked_up(f"{self._kind}_row", len(row_ids) - len(missing), len(missing))
        return found, missing

    async def _rows_and_marks(self, row_ids: Sequence[int]) -> list:
        """Each row's cached value then its writing mark (None when absent): one MGET on one Redis, which reads
        them all at one instant; on a Cluster a GET and an EXISTS per row, pipelined (a row's keys share a slot)."""
        if not row_ids:
            return []
        if not isinstance(self._redis, RedisCluster):
            return await self._redis.mget([key for row_id in row_ids for key in (self.key(row_id), self._writing(row_id))])
        async with self._redis.pipeline(transaction=False) as pipe:
            for row_id in row_ids:
                pipe.get(self.key(row_id))
                pipe.exists(self._writing(row_id))
            return await pipe.execute()

    async def fill(self, rows: dict[int, Revision[T]]) -> None:
        """Stores rows a reader read, unless they are older than the cache's or being written."""
        try:
            await self._store(rows, "reader")
        except RedisError as error:
            log.warning("could not fill the %s cache (%s)", self._kind, error)

    @asynccontextmanager
    async def write(
        self, row_ids: Sequence[int], read: Callable[[list[int]], Awaitable[dict[int, Revision[T]]]]
    ) -> AsyncIterator["WriteSet"]:
        """Marks the rows, runs the block (the store's write), then stores them as `read` finds them after it.

        The block may mark more rows through the WriteSet it gets, before its commit."""
        rows = WriteSet(self)
        await rows.add(row_ids)
        try:
            yield rows
        finally:
            try:
                committed = await read(rows.ids)
            except Exception as error:  # the write's own outcome matters more; the marks expire
                log.warning("could not read back written %s rows (%s); their marks will expire", self._kind, error)
            else:
                await self.written(rows.ids, committed)

    async def writing(self, row_ids: Sequence[int]) -> None:
        """Marks rows before a write; raises Unavailable, before the store is touched, if Redis can't."""
        try:
            await self._each(row_ids, lambda row_id, client: self._mark(
                keys=[self.key(row_id), self._writing(row_id)], args=[self._window_ms], client=client))
        except RedisError as error:
            raise Unavailable(f"the {self._kind} cache (Redis) is unreachable ({error}); try again shortly") from None

    async def written(self, row_ids: Sequence[int], rows: dict[int, Revision[T]]) -> None:
        """Stores the committed rows and unmarks them. A failure here only leaves the marks to expire."""
        try:
            await self._store(rows, "writer")
            await self._each(row_ids, lambda row_id, client: self._unmark(
                keys=[self.key(row_id), self._writing(row_id)], client=client))
        except RedisError as error:
            log.warning("could not store written %s rows (%s); their marks will expire", self._kind, error)

    async def _store(self, rows: dict[int, Revision[T]], who: str) -> None:
        def store(row_id: int, client):
            row = rows[row_id]
            revision = "T" if row.value is None else str(row.revision)
            payload = b"" if row.value is None else self._encode(row.value)
            keys = [self.key(row_id), self._writing(row_id)]
            return self._fill(keys=keys, args=[revision, payload, self._ttl_ms, who], client=client)

        await self._each(list(rows), store)

    async def _each(self, row_ids: Sequence[int], call) -> None:
        """Runs one script per row: pipelined on one Redis, side by side on a Cluster (its pipelines refuse scripts)."""
        if not row_ids:
            return
        if isinstance(self._redis, RedisCluster):
            await asyncio.gather(*(call(row_id, self._redis) for row_id in row_ids))
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for row_id in row_ids:
                await call(row_id, pipe)
            await pipe.execute()

    def _writing(self, row_id: int) -> str:
        return f"{self.key(row_id)}:writing"
