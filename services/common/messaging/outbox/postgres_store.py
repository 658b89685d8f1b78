"""The outbox in PostgreSQL: one table of events, each consumer's offset, and dead letters.

Consumers read in seq order and move their offset past what they read, so
a row must never become visible after a row with a larger seq: a BIGSERIAL
alone allows that, since concurrent transactions can commit in another
order than they drew their numbers. Appending therefore takes a lock on the
schema's outbox that is held until commit, which puts the commits of
event-writing transactions in seq order. Append last, just before commit.
"""

import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import TypeVar

import asyncpg

from services.common.kernel.events import Event
from services.common.messaging.outbox.sql_store import OutboxSql, SqlOutbox
from services.common.messaging.outbox.store import outbox_rows
from services.common.storage.leases import Lease
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

RELAY_LEASE = "outbox.relay"  # in the outbox's schema: one relay at a time publishes it
_LOCK_APPENDS = "SELECT pg_advisory_xact_lock(hashtext('chirp.outbox'), hashtext(current_schema()))"


def _append(first: int) -> str:
    """The append, its three parameters numbered from `first`: one round trip, the lock taken as the first row is
    read, before any seq is drawn."""
    arrays = f"${first}::bytea[], ${first + 1}::jsonb[], ${first + 2}::timestamptz[]"
    return ("INSERT INTO outbox (payload, headers, created_at) SELECT e.payload, e.headers, e.created_at "
            f"FROM ({_LOCK_APPENDS}) AS appends_in_order, "
            f"unnest({arrays}) WITH ORDINALITY AS e(payload, headers, created_at, n) ORDER BY e.n")  # fmt: skip


_APPEND = _append(1)
_DEAD_LETTER = (
    "INSERT INTO outbox_dead_letters VALUES ($1, $2, $3, now()) "
    "ON CONFLICT (consumer, seq) DO UPDATE SET error = excluded.error, failed_at = excluded.failed_at"
)

T = TypeVar("T")


class PostgresOutbox(SqlOutbox):
    sql = OutboxSql.named_by(lambda n: f"${n}")

    def __init__(self, db: PostgresDatabase) -> None:
        super().__init__()
        self._db = db

    async def append(self, connection: asyncpg.Connection, events: Iterable[Event]) -> None:
        rows = outbox_rows(events, datetime.now(timezone.utc))
        if not rows:
            return
        await connection.execute(_APPEND, *(list(column) for column in zip(*rows)))

    async def write_with(self, statement: str, args: Sequence[object], events: Iterable[Event]) -> None:
        """`statement` (one INSERT, UPDATE or DELETE, its parameters `args`) and the events' append as one statement,
        committed on its own: one round trip where a transaction takes four (BEGIN, the two, COMMIT)."""
        columns = [list(column) for column in zip(*outbox_rows(events, datetime.now(timezone.utc)))]
        if columns:
            await self._db.execute(f"WITH written AS ({statement}) {_append(len(args) + 1)}", *args, *columns)
        else:
            await self._db.execute(statement, *args)
        self.notify()

    def relay_lease(self, holder: str, ttl_seconds: float) -> Lease:
        return Lease(self._db, RELAY_LEASE, holder, ttl_seconds)

    async def dead_letter(self, consumer: str, seq: int, error: str) -> None:
        await self._execute(_DEAD_LETTER, consumer, seq, error)

    async def _in_transaction(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        return await self._db.run_in_transaction(work)

    async def _fetch_all(self, sql: str, *args) -> list[asyncpg.Record]:
        return await self._db.fetch_all(sql, *args)

    async def _fetch_one(self, sql: str, *args) -> asyncpg.Record | None:
        return await self._db.fetch_one(sql, *args)

    async def _execute(self, sql: str, *args) -> None:
        await self._db.execute(sql, *args)

    def _seconds_since(self, stored_time: datetime) -> float:
        return time.time() - stored_time.timestamp()
