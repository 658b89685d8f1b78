"""Reads that may be stale go to the replica (CHIRP_DATABASE_READ_URL); the author's own reads stay on the primary.

The replica's replay is paused, so it shows the state before the last write: a page read there lacks the new
tweet, a page read on the primary has it.
"""

import asyncio
import dataclasses

import asyncpg
import pytest

from services.common.kernel.pagination import PageRequest
from services.common.runtime.config import Settings
from services.mesh.backends import Resources, open_stores
from services.tweet.domain import Tweet
from tests.integration.streaming_replica import streaming_pair

AUTHOR = 42
PAGE = PageRequest(10, None)


@pytest.fixture(scope="module")
def pair():
    with streaming_pair() as started:
        yield started


async def _wait_for(check, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.05)


async def _open(pair, read_url: bool):
    admin = await asyncpg.connect(pair.url(pair.primary_port))
    database = f"chirp_replica_{'read' if read_url else 'plain'}"
    await admin.execute(f"DROP DATABASE IF EXISTS {database}")
    await admin.execute(f"CREATE DATABASE {database}")
    await admin.close()
    primary = pair.url(pair.primary_port, database)
    replica = pair.url(pair.replica_port, database) if read_url else ""
    settings = dataclasses.replace(Settings(), database_url=primary, database_read_url=replica, redis_url="")
    await _wait_for(lambda: _replica_has(pair, database))
    resources = Resources()
    stores = await open_stores(settings, resources, graph=False, accounts=False, notifications=False)
    return stores.tweets, resources


async def _replica_has(pair, database: str) -> bool:
    connection = await asyncpg.connect(pair.url(pair.replica_port))
    try:
        return bool(await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database))
    finally:
        await connection.close()


async def _replay(pair, action: str) -> None:
    connection = await asyncpg.connect(pair.url(pair.replica_port))
    try:
        await connection.execute(f"SELECT pg_wal_replay_{action}()")
    finally:
        await connection.close()


async def test_another_users_profile_reads_the_replica_and_the_author_reads_the_primary(pair):
    tweets, resources = await _open(pair, read_url=True)
    try:
        await tweets.add(Tweet(1 << 22, AUTHOR, "first"), [])

        async def replica_caught_up() -> bool:
            return (await tweets.by_author(AUTHOR, PAGE, stale_ok=True)).items == [1 << 22]

        await _wait_for(replica_caught_up)
        await _replay(pair, "pause")
        try:
            await tweets.add(Tweet(2 << 22, AUTHOR, "second"), [])
            assert (await tweets.by_author(AUTHOR, PAGE, stale_ok=True)).items == [1 << 22]  # the paused replica: stale
            assert (await tweets.by_author(AUTHOR, PAGE)).items == [2 << 22, 1 << 22]  # the primary: read-your-writes
        finally:
            await _replay(pair, "resume")
        await _wait_for(lambda: _both(tweets))
    finally:
        await resources.close()


async def _both(tweets) -> bool:
    return (await tweets.by_author(AUTHOR, PAGE, stale_ok=True)).items == [2 << 22, 1 << 22]


async def test_without_a_read_url_every_read_goes_to_the_primary(pair):
    tweets, resources = await _open(pair, read_url=False)
    try:
        await _replay(pair, "pause")
        try:
            await tweets.add(Tweet(1 << 22, AUTHOR, "first"), [])
            assert (await tweets.by_author(AUTHOR, PAGE, stale_ok=True)).items == [1 << 22]
        finally:
            await _replay(pair, "resume")
    finally:
        await resources.close()
