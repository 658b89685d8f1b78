"""One transaction interface over SQLite (aiosqlite) and PostgreSQL (asyncpg), so a SQL store is written once
(Account's sql_store.py, Notification's sql_store.py).

Statements use `?` placeholders (numbered for PostgreSQL here); `FOR UPDATE`
is dropped on SQLite, whose write transactions run one at a time anyway.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from services.common.storage.postgres import PostgresDatabase
from services.common.storage.sqlite import Database


class Transaction(Protocol):
    async def fetch_one(self, sql: str, *args) -> tuple | None: ...

    async def fetch_all(self, sql: str, *args) -> list[tuple]: ...

    async def execute(self, sql: str, *args) -> None: ...


class Transactions(Protocol):
    def transaction(self): ...  # an async context manager giving a Transaction

    async def read(self, sql: str, *args) -> list[tuple]:
        """Rows read outside any write transaction (SQLite: on its reader connection, never queued behind writes)."""


class SqliteTransactions:
    def __init__(self, db: Database):
        self._db = db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator["_SqliteTx"]:
        async with self._db.transaction() as connection:
            yield _SqliteTx(connection)

    async def read(self, sql: str, *args) -> list[tuple]:
        return await self._db.fetch_all(sql, args)


class _SqliteTx:
    def __init__(self, connection):
        self._connection = connection

    async def fetch_one(self, sql: str, *args) -> tuple | None:
        cursor = await self._connection.execute(sql.replace(" FOR UPDATE", ""), args)
        return await cursor.fetchone()

    async def fetch_all(self, sql: str, *args) -> list[tuple]:
        return list(await self._connection.execute_fetchall(sql.replace(" FOR UPDATE", ""), args))

    async def execute(self, sql: str, *args) -> None:
        await self._connection.execute(sql, args)


class PostgresTransactions:
    def __init__(self, db: PostgresDatabase):
        self._db = db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator["_PostgresTx"]:
        async with self._db.transaction() as connection:
            yield _PostgresTx(connection)

    async def read(self, sql: str, *args) -> list[tuple]:
        return await self._db.fetch_all(numbered(sql), *args)


class _PostgresTx:
    def __init__(self, connection):
        self._connection = connection

    async def fetch_one(self, sql: str, *args) -> tuple | None:
        return await self._connection.fetchrow(numbered(sql), *args)

    async def fetch_all(self, sql: str, *args) -> list[tuple]:
        return await self._connection.fetch(numbered(sql), *args)

    async def execute(self, sql: str, *args) -> None:
        await self._connection.execute(numbered(sql), *args)


def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1`, `$2`, …"""
    parts = sql.split("?")
    return "".join(part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, start=1))
