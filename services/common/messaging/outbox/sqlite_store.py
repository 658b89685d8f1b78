"""The outbox in SQLite: one table of events, each consumer's offset, and dead letters."""

import json
import time
from collections.abc import Iterable

import aiosqlite

from services.common.kernel.events import Event
from services.common.messaging.outbox.store import CommitSignal, QueueStats, StoredEvent, outbox_rows
from services.common.storage.sqlite import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  payload BLOB NOT NULL,
  headers TEXT NOT NULL DEFAULT '{}',
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


class SqliteOutbox(CommitSignal):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db

    async def append(self, connection: aiosqlite.Connection, events: Iterable[Event]) -> None:
        """Stores events inside the caller's transaction; call notify() once it has committed."""
        rows = outbox_rows(events, time.time())
        await connection.executemany("INSERT INTO outbox (payload, headers, created_at) VALUES (?, ?, ?)", rows)

    async def pending(self, after: int, limit: int) -> list[StoredEvent]:
        rows = await self._db.fetch_all(
            "SELECT seq, payload, headers FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)
        )
        return [StoredEvent(row["seq"], row["payload"], json.loads(row["headers"])) for row in rows]

    async def offset(self, consumer: str) -> int:
        row = await self._db.fetch_one("SELECT seq FROM outbox_offsets WHERE consumer = ?", (consumer,))
        return row["seq"] if row else 0

    async def save_offset(self, consumer: str, seq: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO outbox_offsets VALUES (?, ?) ON CONFLICT(consumer) DO UPDATE SET seq = excluded.seq",
                (consumer, seq),
            )

    async def dead_letter(self, consumer: str, seq: int, error: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT OR REPLACE INTO outbox_dead_letters VALUES (?, ?, ?, ?)", (consumer, seq, error, time.time())
            )

    async def stats(self, consumer: str) -> QueueStats:
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM outbox "
            "WHERE seq > COALESCE((SELECT seq FROM outbox_offsets WHERE consumer = ?), 0)",
            (consumer,),
        )
        dead = await self._db.fetch_one("SELECT COUNT(*) AS n FROM outbox_dead_letters WHERE consumer = ?", (consumer,))
        age = time.time() - row["oldest"] if row["oldest"] is not None else 0.0
        return QueueStats(row["depth"], max(age, 0.0), dead["n"])
