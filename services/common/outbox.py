"""The embedded event bus: a durable outbox in SQLite, drained in process.

A service appends its events in the same transaction as the state change
they describe, so an event is stored exactly when the change is. Each
consumer keeps its own offset in the outbox and advances it only after
its handler has finished: delivery is at-least-once and survives a crash
or a restart, so handlers must be idempotent. An event whose handler
keeps failing is retried with backoff, then set aside as a dead letter.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import aiosqlite

from services.common import event_codec
from services.common.events import Event
from services.common.sqlite import Database

log = logging.getLogger("chirp.outbox")

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  payload BLOB NOT NULL,
  created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox_offsets (consumer TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox_dead_letters (
  consumer TEXT NOT NULL,
  seq INTEGER NOT NULL,
  error TEXT NOT NULL,
  failed_at REAL NOT NULL,
  PRIMARY KEY (consumer, seq)
);
"""

Handler = Callable[[Event], Awaitable[None]]


@dataclass(frozen=True)
class QueueStats:
    depth: int
    oldest_pending_age_seconds: float
    dead_letters: int


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_backoff_seconds: float = 0.05


class Outbox:
    """Writes events inside a caller's transaction and wakes the consumers."""

    def __init__(self) -> None:
        self._listeners: list[asyncio.Event] = []

    async def append(self, connection: aiosqlite.Connection, events: Iterable[Event]) -> None:
        now = time.time()
        rows = [(event_codec.encode(event), now) for event in events]
        await connection.executemany("INSERT INTO outbox (payload, created_at) VALUES (?, ?)", rows)

    def notify(self) -> None:
        for listener in self._listeners:
            listener.set()

    def listen(self) -> asyncio.Event:
        listener = asyncio.Event()
        self._listeners.append(listener)
        return listener


class OutboxConsumer:
    """Drains the outbox, in order, into one handler."""

    def __init__(self, db: Database, outbox: Outbox, name: str, handler: Handler, retry: RetryPolicy = RetryPolicy()):
        self._db, self._name, self._handler, self._retry = db, name, handler, retry
        self._wakeup = outbox.listen()
        self._task: asyncio.Task | None = None
        self.batch_size = 100
        self.poll_seconds = 1.0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-consumer-{self._name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def stats(self) -> QueueStats:
        offset = await self._offset()
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM outbox WHERE seq > ?", (offset,)
        )
        dead = await self._db.fetch_one("SELECT COUNT(*) AS n FROM outbox_dead_letters WHERE consumer = ?", (self._name,))
        age = time.time() - row["oldest"] if row["oldest"] is not None else 0.0
        return QueueStats(row["depth"], max(age, 0.0), dead["n"])

    async def drain_once(self) -> int:
        """Handles the next batch of pending events; returns how many there were."""
        start = offset = await self._offset()
        rows = await self._db.fetch_all(
            "SELECT seq, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", (start, self.batch_size)
        )
        try:
            for row in rows:
                await self._deliver(row["seq"], row["payload"])
                offset = row["seq"]
        finally:
            if offset != start:
                await self._save_offset(offset)  # once a batch: a crash redelivers at most one batch
        return len(rows)

    async def _run(self) -> None:
        while True:
            self._wakeup.clear()  # before reading: a commit during the read wakes the next wait
            try:
                if await self.drain_once():
                    continue
            except Exception:
                log.exception("consumer %s failed to read the outbox; retrying", self._name)
            try:
                await asyncio.wait_for(self._wakeup.wait(), self.poll_seconds)
            except TimeoutError:
                pass

    async def _deliver(self, seq: int, payload: bytes) -> None:
        backoff = self._retry.first_backoff_seconds
        for attempt in range(1, self._retry.attempts + 1):
            try:
                await self._handler(event_codec.decode(payload))
                return
            except Exception as error:
                if attempt == self._retry.attempts:
                    await self._dead_letter(seq, error)
                    return
                log.warning("consumer %s: event %s failed (attempt %s): %s", self._name, seq, attempt, error)
                await asyncio.sleep(backoff)
                backoff *= 2

    async def _dead_letter(self, seq: int, error: Exception) -> None:
        log.error("consumer %s: event %s failed %s times; set aside as a dead letter", self._name, seq, self._retry.attempts)
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT OR REPLACE INTO outbox_dead_letters VALUES (?, ?, ?, ?)", (self._name, seq, repr(error), time.time())
            )

    async def _offset(self) -> int:
        row = await self._db.fetch_one("SELECT seq FROM outbox_offsets WHERE consumer = ?", (self._name,))
        return row["seq"] if row else 0

    async def _save_offset(self, seq: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO outbox_offsets VALUES (?, ?) ON CONFLICT(consumer) DO UPDATE SET seq = excluded.seq",
                (self._name, seq),
            )
