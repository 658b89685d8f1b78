"""The outbox in PostgreSQL: one table of events, each consumer's offset, and dead letters.

Consumers read in seq order and move their offset past what they read, so
a row must never become visible after a row with a larger seq: a BIGSERIAL
alone allows that, since concurrent transactions can commit in another
order than they drew their numbers. Appending therefore takes a lock on the
schema's outbox that is held until commit, which puts the commits of
event-writing transactions in seq order. Append last, just before commit.
"""

import json
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timezone
from typing import TypeVar

import asyncpg

from services.common.kernel.events import Event
from services.common.messaging.outbox.store import CommitSignal, QueueStats, StoredEvent, outbox_rows
from services.common.storage.postgres import PostgresDatabase

MIGRATION = """
CREATE TABLE outbox (
  seq BIGSERIAL PRIMARY KEY,
  payload BYTEA NOT NULL,
  headers JSONB NOT NULL DEFAULT '{}',
  created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE outbox_offsets (consumer TEXT PRIMARY KEY, seq BIGINT NOT NULL);
CREATE TABLE outbox_dead_letters (
  consumer TEXT NOT NULL,
  seq BIGINT NOT NULL,
  error TEXT NOT NULL,
  failed_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (consumer, seq)
);
"""

_LOCK_APPENDS = "SELECT pg_advisory_xact_lock(hashtext('chirp.outbox'), hashtext(current_schema()))"


T = TypeVar("T")


class PostgresOutbox(CommitSignal):
    def __init__(self, db: PostgresDatabase) -> None:
        super().__init__()
        self._db = db

    async def write(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """Runs work (which appends its events) in a transaction, then wakes the outbox's consumers."""
        result = await self._db.run_in_transaction(work)
        self.notify()
        return result

    async def append(self, connection: asyncpg.Connection, events: Iterable[Event]) -> None:
        """Stores events inside the caller's transaction; call notify() once it has committed."""
        rows = outbox_rows(events, datetime.now(timezone.utc))
        if not rows:
            return
        await connection.execute(_LOCK_APPENDS)
        await connection.executemany("INSERT INTO outbox (payload, headers, created_at) VALUES ($1, $2, $3)", rows)

    async def pending(self, after: int, limit: int) -> list[StoredEvent]:
        rows = await self._db.fetch_all(
            "SELECT seq, payload, headers FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2", after, limit
        )
        return [StoredEvent(row["seq"], row["payload"], json.loads(row["headers"])) for row in rows]

    async def offset(self, consumer: str) -> int:
        row = await self._db.fetch_one("SELECT seq FROM outbox_offsets WHERE consumer = $1", consumer)
        return row["seq"] if row else 0

    async def save_offset(self, consumer: str, seq: int) -> None:
        await self._db.execute(
            "INSERT INTO outbox_offsets VALUES ($1, $2) ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq",
            consumer, seq,
        )  # fmt: skip

    async def dead_letter(self, consumer: str, seq: int, error: str) -> None:
        await self._db.execute(
            "INSERT INTO outbox_dead_letters VALUES ($1, $2, $3, now()) "
            "ON CONFLICT (consumer, seq) DO UPDATE SET error = excluded.error, failed_at = excluded.failed_at",
            consumer, seq, error,
        )  # fmt: skip

    async def stats(self, consumer: str) -> QueueStats:
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM outbox "
            "WHERE seq > COALESCE((SELECT seq FROM outbox_offsets WHERE consumer = $1), 0)",
            consumer,
        )
        dead = await self._db.fetch_one("SELECT COUNT(*) AS n FROM outbox_dead_letters WHERE consumer = $1", consumer)
        age = time.time() - row["oldest"].timestamp() if row["oldest"] is not None else 0.0
        return QueueStats(row["depth"], max(age, 0.0), dead["n"])
