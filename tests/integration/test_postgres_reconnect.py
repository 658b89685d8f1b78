"""What lets the services follow a PostgreSQL failover, on the single local server (the fast part;
`make chaos` kills a Patroni primary): a multi-host DSN reaches the node that takes writes, connections
the server dropped are replaced, and their failure counts as UNREACHABLE (UNAVAILABLE to callers)."""

import asyncpg
import pytest

from services.common.runtime.outages import UNREACHABLE
from services.common.storage.postgres import PostgresDatabase
from tests.integration.servers import _run_as_admin, free_port, fresh_postgres_database


async def test_a_multi_host_dsn_skips_a_node_that_is_down(tmp_path):
    async with fresh_postgres_database() as dsn:
        host, _, database = dsn.rpartition("/")
        down = f"127.0.0.1:{free_port()}"
        multi = host.replace("127.0.0.1:5432", f"{down},127.0.0.1:5432") + f"/{database}?target_session_attrs=read-write"
        db = await PostgresDatabase.open(multi, "tweet", ["CREATE TABLE t (x INT)"])
        try:
            await db.execute("INSERT INTO t VALUES (1)")
            assert (await db.fetch_one("SELECT x FROM t"))["x"] == 1
        finally:
            await db.close()


async def test_connections_the_server_dropped_fail_as_unreachable_and_are_replaced():
    async with fresh_postgres_database() as dsn:
        db = await PostgresDatabase.open(dsn, "tweet", ["CREATE TABLE t (x INT)"], min_size=2, max_size=2)
        try:
            before = (await db.fetch_one("SELECT pg_backend_pid() AS pid"))["pid"]
            await _run_as_admin(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{dsn.rsplit('/', 1)[1]}'"
            )  # what a primary's death does to the pool's connections
            failures = []
            for _ in range(3):
                try:
                    await db.execute("INSERT INTO t VALUES (1)")
                except Exception as error:  # noqa: BLE001 - classified below
                    failures.append(error)
            assert all(isinstance(e, UNREACHABLE) for e in failures), failures  # the pool mostly notices first
            await db.execute("INSERT INTO t VALUES (2)")
            assert (await db.fetch_one("SELECT max(x) AS x FROM t"))["x"] == 2
            assert (await db.fetch_one("SELECT pg_backend_pid() AS pid"))["pid"] != before  # on a new connection
        finally:
            await db.close()


def test_a_node_that_takes_no_writes_yet_is_unreachable_not_a_bug():
    assert issubclass(asyncpg.TargetServerAttributeNotMatched, UNREACHABLE)
    with pytest.raises(UNREACHABLE):
        raise asyncpg.CannotConnectNowError("the database system is starting up")
