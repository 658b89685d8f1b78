"""PostgreSQL for the system of record: one schema per service, migrated on open.

Each service keeps its tables in its own schema, and every pooled
connection has that schema as its search_path, so the SQL stays
unqualified. Migrations are numbered by their place in the service's list
and applied once each, in their own transaction, under an advisory lock on
the schema: processes starting at the same time take turns.

Under Patroni, the DSN names every node and asks for the one that takes
writes (`postgresql://u@h1:5432,h2:5432/chirp?target_session_attrs=read-write`):
each new connection goes to the current primary. When the primary dies, the
pool's connections to it fail (UNREACHABLE: callers get UNAVAILABLE and
retry) and are replaced, on the next use, by connections to the promoted one.
"""

import asyncio
import logging
import random
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from typing import TypeVar

import asyncpg

log = logging.getLogger("chirp.postgres")
T = TypeVar("T")
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
PING_TIMEOUT_SECONDS = 2.0
DEADLOCK_ATTEMPTS = 5
DEADLOCK_PAUSE_SECONDS = 0.005  # before a rerun, a random pause up to this, times the attempt: the two sides part
# The primary gone or not yet there (a failover): a blip to retry, not a bug.
UNREACHABLE = (
    asyncpg.PostgresConnectionError,  # the connection broke, or could not be made
    asyncpg.CannotConnectNowError,  # starting up, or being promoted
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.ReadOnlySQLTransactionError,  # a connection still on a node that was demoted
    asyncpg.TargetServerAttributeNotMatched,  # no node takes writes yet
    asyncpg.InternalClientError,  # "cannot switch to state…": a pooled connection the server had just dropped
)
_LOCK_MIGRATIONS = "SELECT pg_advisory_xact_lock(hashtext('chirp.migrations'), hashtext($1))"


class PostgresDatabase:
    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool

    @classmethod
    async def open(
        cls, dsn: str, schema: str, migrations: Sequence[str], min_size: int = 1, max_size: int = 10
    ) -> "PostgresDatabase":
        if not SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"schema {schema!r} is not valid: use lowercase letters, digits and underscores")
        pool = await asyncpg.create_pool(
            dsn, min_size=min_size, max_size=max_size, server_settings={"search_path": schema}, reset=_keep_session
        )
        db = cls(pool)
        try:
            await db._create_schema(schema)
            for version, migration in enumerate(migrations, start=1):
                await db._migrate(schema, version, migration)
        except BaseException:
            await pool.close()
            raise
        return db

    @classmethod
    async def open_reader(cls, dsn: str, schema: str, max_size: int = 10) -> "PostgresDatabase":
        """A pool for reads only (a streaming replica): no schema made, no migration run; the primary's pool does that."""
        if not SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"schema {schema!r} is not valid: use lowercase letters, digits and underscores")
        return cls(await asyncpg.create_pool(dsn, min_size=1, max_size=max_size, server_settings={"search_path": schema}, reset=_keep_session))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """One transaction on a pooled connection. Whatever stops it (an error, a cancelled
        request), it is rolled back; a failed commit leaves nothing open either."""
        async with self._pool.acquire() as connection:
            transaction = connection.transaction()
            await transaction.start()
            try:
                yield connection
            except BaseException:
                await asyncio.shield(_roll_back(transaction))
                raise
            await transaction.commit()

    async def run_in_transaction(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """Runs work in a transaction; again from the start if PostgreSQL aborted it to break
        a deadlock (rare: writes lock rows in id order, but not every race can be ordered)."""
        attempts_left = DEADLOCK_ATTEMPTS
        while True:
            attempts_left -= 1
            try:
                async with self.transaction() as connection:
                    return await work(connection)
            except asyncpg.DeadlockDetectedError:
                if not attempts_left:
                    raise
                log.warning("a transaction was aborted to break a deadlock; running it again")
                # At once, the rerun can take its first lock before the other side wakes to take it, and
                # deadlock with it again: a loaded machine did so three times running.
                await asyncio.sleep(random.uniform(0, DEADLOCK_PAUSE_SECONDS) * (DEADLOCK_ATTEMPTS - attempts_left))

    async def fetch_all(self, sql: str, *args) -> list[asyncpg.Record]:
        return await self._pool.fetch(sql, *args)

    async def fetch_one(self, sql: str, *args) -> asyncpg.Record | None:
        return await self._pool.fetchrow(sql, *args)

    async def execute(self, sql: str, *args) -> str:
        return await self._pool.execute(sql, *args)

    async def ping(self) -> None:
        """Raises when the server can't answer a trivial query within a couple of seconds."""
        async with asyncio.timeout(PING_TIMEOUT_SECONDS):
            await self._pool.fetchval("SELECT 1")

    async def close(self) -> None:
        await self._pool.close()

    async def _create_schema(self, schema: str) -> None:
        async with self.transaction() as connection:
            await connection.execute(_LOCK_MIGRATIONS, schema)
            await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            await connection.execute(
                f"CREATE TABLE IF NOT EXISTS {schema}.schema_migrations "
                "(version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
            )

    async def _migrate(self, schema: str, version: int, migration: str) -> None:
        async with self.transaction() as connection:
            await connection.execute(_LOCK_MIGRATIONS, schema)
            if await connection.fetchval("SELECT 1 FROM schema_migrations WHERE version = $1", version):
                return
            await connection.execute(migration)
            await connection.execute("INSERT INTO schema_migrations VALUES ($1, now())", version)


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Run on each connection going back to the pool, instead of asyncpg's reset query (unlock
    advisory locks, close cursors, UNLISTEN, RESET ALL): a round trip that made a pooled fetch cost
    357 µs here, against 137 µs without it. The services leave no session state behind: their
    advisory locks are transaction-scoped, they open no cursors outside transactions, LISTEN nowhere
    and SET nothing (tests/unit/test_postgres_sessions.py checks the SQL). asyncpg still rolls back
    a transaction left open."""


async def _roll_back(transaction) -> None:
    """The error that stopped the transaction matters more than a failed rollback, and
    the pool discards a connection it can't reset."""
    with suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        await transaction.rollback()


def rows_affected(status: str) -> int:
    """How many rows a command changed, from its status ("INSERT 0 1", "UPDATE 3", "DELETE 0")."""
    return int(status.rsplit(" ", 1)[-1])


def revision_migration(table: str) -> str:
    """A migration giving a table a `revision` that every UPDATE of a row bumps, for caches to order copies by."""
    return f"""
ALTER TABLE {table} ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
CREATE OR REPLACE FUNCTION bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.revision := OLD.revision + 1; RETURN NEW; END $$;
CREATE TRIGGER {table}_revision BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION bump_revision();
"""
