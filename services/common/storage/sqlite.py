"""SQLite in WAL mode for the embedded mesh, without blocking the event loop.

aiosqlite runs each connection on its own thread. Writes go through one
connection under an asyncio lock, one transaction at a time (SQLite
allows one writer anyway); reads use a second connection and see every
committed write.
"""

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON")


class Database:
    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> "Database":
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await _connect(path)
        reader = await _connect(path)
        return cls(writer, reader)

    async def apply_schema(self, script: str, added_columns: Iterable[tuple[str, str, str]] = ()) -> None:
        """Creates what the script declares; added_columns (table, column, definition) are added to
        tables that a file made before them already holds."""
        async with self._write_lock:
            await self._writer.executescript(script)
            for table, column, definition in added_columns:
                present = {row[1] for row in await self._writer.execute_fetchall(f"PRAGMA table_info({table})")}
                if column not in present:
                    await self._writer.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
            await self._writer.commit()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction. Whatever stops it (an error, a cancelled request,
        a failed commit), the connection is left with no transaction open."""
        async with self._write_lock:
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
                yield self._writer
                await self._writer.commit()
            except BaseException:
                await asyncio.shield(self._rollback())
                raise

    async def _rollback(self) -> None:
        if self._writer.in_transaction:
            await self._writer.rollback()

    async def fetch_all(self, sql: str, params: Iterable = ()) -> list[aiosqlite.Row]:
        # One job on the connection's thread, stepped to the end: no statement stays
        # open between awaits, so no read transaction outlives it and every read sees
        # every commit made before it started.
        return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def fetch_one(self, sql: str, params: Iterable = ()) -> aiosqlite.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def close(self) -> None:
        await self._reader.close()
        await self._writer.close()


async def _connect(path: Path) -> aiosqlite.Connection:
    connection = await aiosqlite.connect(path, isolation_level=None)
    connection.row_factory = aiosqlite.Row
    for pragma in PRAGMAS:
        await connection.execute(pragma)
    return connection


def placeholders(count: int) -> str:
    return ",".join("?" * count)
