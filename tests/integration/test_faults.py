"""Failures in the middle of a run lose nothing. Bounded in count and time; real servers on loopback."""

import asyncio
import random

import pytest
from redis.asyncio import Redis

from tests.conftest import LiveMesh, make_settings
from tests.integration.servers import REDIS_URL


@pytest.fixture
async def settings(tmp_path):
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    await client.aclose()
    return make_settings(tmp_path, redis_url=REDIS_URL, celebrity_threshold=6)


async def assert_timelines_consistent(live: LiveMesh, follows: dict[int, set[int]], posted: dict[int, list[int]]) -> None:
    """Every reader's timeline holds exactly the tweets of those they follow and their own, newest first, once."""
    for reader, followees in follows.items():
        expected = sorted((t for author in followees | {reader} for t in posted[author]), reverse=True)
        shown = await live.home_ids(reader, page_size=100)
        assert shown == expected, f"reader {reader}: {len(shown)} shown, {len(expected)} expected"


async def test_flushall_in_the_middle_of_a_run_loses_nothing(live: LiveMesh):
    rng = random.Random(3)
    users = [await live.register(f"user{i}") for i in range(12)]
    follows = {u: set(rng.sample([v for v in users if v != u], 4)) for u in users}
    for reader, followees in follows.items():
        for followee in followees:
            await live.follow(reader, followee)
    await live.settle()
    for reader in users:
        await live.home_ids(reader)  # every timeline cached in Redis
    posted: dict[int, list[int]] = {u: [] for u in users}
    redis = Redis.from_url(REDIS_URL)
    halfway = asyncio.Event()
    flushed_keys: list[int] = []

    async def post_run(rounds: int) -> None:
        for n in range(rounds):
            author = users[n % len(users)]
            posted[author].append(await live.post(author, f"tweet {n}"))
            if n == rounds // 2:
                halfway.set()
            if n % 5 == 0:
                await live.home_ids(users[(n * 7) % len(users)])  # readers keep rebuilding

    async def flush_midway() -> None:
        await halfway.wait()
        flushed_keys.append(await redis.dbsize())
        await redis.flushall()

    await asyncio.wait_for(asyncio.gather(post_run(60), flush_midway()), timeout=60)
    assert flushed_keys[0] >= len(users) - 1, "the flush should have wiped cached timelines"
    assert all(p for p in posted.values())
    await live.settle()
    await redis.aclose()
    await assert_timelines_consistent(live, follows, posted)
