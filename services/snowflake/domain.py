"""Snowflake ids: laid out as services.common.kernel.ids describes.

Ids from one generator are strictly increasing. When the clock steps
back, the generator waits up to `max_backward_wait_ms` for it to catch
up and otherwise refuses (Unavailable); it never repeats or reorders.

With a WorkerLease (several Snowflake processes sharing a database), the
worker id is the lease's, and ids are refused (Unavailable) whenever the
lease is not held: a process that can't renew it, or that lost it to
another, stops rather than risk issuing an id that process also issues.
"""

import asyncio
from collections.abc import Callable

from services.common.kernel.errors import InvalidArgument, Unavailable
from services.common.kernel.ids import MAX_SEQUENCE, MAX_WORKER_ID, compose, timestamp_ms, wall_clock_ms
from services.snowflake.ports import WorkerLease

MAX_BATCH = 4096


class SnowflakeGenerator:
    @classmethod
    def leased(cls, lease: WorkerLease, clock: Callable[[], int] = wall_clock_ms) -> "SnowflakeGenerator":
        return cls(lease.worker_id, clock, lease=lease)

    def __init__(
        self,
        worker_id: int,
        clock: Callable[[], int] = wall_clock_ms,
        max_backward_wait_ms: int = 10,
        above: int = 0,
        lease: WorkerLease | None = None,
    ):
        """above: the largest id already stored; every new id is greater, even after a restart."""
        if not 0 <= worker_id <= MAX_WORKER_ID:
            raise ValueError(f"worker id must be 0..{MAX_WORKER_ID}, got {worker_id}")
        self._worker_id, self._lease = worker_id, lease
        self._clock = clock
        self._max_backward_wait_ms = max_backward_wait_ms
        self._last_ms = timestamp_ms(above) if above else -1
        self._sequence = MAX_SEQUENCE + 1 if above else 0  # that millisecond counts as used up

    async def next_id(self) -> int:
        return (await self.next_ids(1))[0]

    async def next_ids(self, count: int) -> list[int]:
        if not 1 <= count <= MAX_BATCH:
            raise InvalidArgument(f"count must be 1 to {MAX_BATCH}, got {count}", field="count")
        if self._lease is not None and not self._lease.held():
            raise Unavailable(
                f"snowflake worker {self._worker_id} does not hold its worker id's lease (the database is unreachable, "
                "or another process took it); it issues no ids until it holds one, retry on another replica"
            )
        ids: list[int] = []
        while len(ids) < count:
            now = await self._usable_millisecond()
            if now > self._last_ms:
                self._last_ms, self._sequence = now, 0
            while len(ids) < count and self._sequence <= MAX_SEQUENCE:
                ids.append(compose(now, self._worker_id, self._sequence))
                self._sequence += 1
        return ids

    async def _usable_millisecond(self) -> int:
        """A millisecond that still has sequence numbers left, not before the last one used."""
        waited = 0
        while True:
            now = self._clock()
            if now > self._last_ms or (now == self._last_ms and self._sequence <= MAX_SEQUENCE):
                return now
            behind = self._last_ms - now
            if behind > 0 and waited >= self._max_backward_wait_ms:
                raise Unavailable(
                    f"the clock of snowflake worker {self._worker_id} moved back by {behind} ms; "
                    "ids are refused until it catches up, retry shortly"
                )
            await asyncio.sleep(0.001)
            waited += 1

