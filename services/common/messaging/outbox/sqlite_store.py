"""The outbox in SQLite: one table of events, each consumer's offset, and dead letters."""

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

import aiosqlite

from services.common.kernel.events import Event
from services.common.messaging.outbox.sql_store import OutboxSql, SqlOutbox
from services.common.messaging.outbox.store import outbox_rows
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

T = TypeVar("T")


class SqliteOutbox(SqlOutbox):
    sql = OutboxSql.named_by(lambda n: "?")

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db

    async def append(self, connection: aiosqlite.Connection, events: Iterable[Event]) -> None:
        await connection.executemany(self.sql.insert, outbox_rows(events, time.time()))

    async def dead_letter(self, consumer: str, seq: int, error: str) -> None:
        await self._execute("INSERT OR REPLACE INTO outbox_dead_letters VALUES (?, ?, ?, ?)", consumer, seq, error, time.time())

    async def _in_transaction(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        async with self._db.transaction() as connection:
            return await work(connection)

    async def _fetch_all(self, sql: str, *args) -> list[aiosqlite.Row]:
        return await self._db.fetch_all(sql, args)

    async def _fetch_one(self, sql: str, *args) -> aiosqlite.Row | None:
        return await self._db.fetch_one(sql, args)

    async def _execute(self, sql: str, *args) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(sql, args)

    def _seconds_since(self, stored_time: float) -> float:
        return time.time() - stored_time
