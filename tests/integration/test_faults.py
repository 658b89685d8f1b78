"""Failures in the middle of a run lose nothing. Bounded in count and time; real servers on loopback."""

import asyncio
import random

import pytest
from redis.asyncio import Redis

from tests.conftest import LiveMesh, make_settings, production_backends
from tests.integration.consistency import assert_timelines_consistent, wait_until_pushed
from tests.integration.servers import REDIS_URL, flush_test_redis

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(params=["sqlite", "production"])
async def settings(request, tmp_path):
    """SQLite with Redis timelines, and the production backends (PostgreSQL, Redis, RabbitMQ)."""
    if request.param == "production":
        async with production_backends(tmp_path, celebrity_threshold=6) as settings:
            yield settings
    else:
        await flush_test_redis()
        yield make_settings(tmp_path, redis_url=REDIS_URL, celebrity_threshold=6)


async def social_world(live: LiveMesh, users: int, follows_each: int, seed: int) -> tuple[list[int], dict[int, set[int]]]:
    rng = random.Random(seed)
    ids = [await live.register(f"user{i}") for i in range(users)]
    follows = {u: set(rng.sample([v for v in ids if v != u], follows_each)) for u in ids}
    for reader, followees in follows.items():
        for followee in followees:
            await live.follow(reader, followee)
    await live.settle(timeout=30)
    for reader in ids:
        await live.home_ids(reader)  # every timeline cached in Redis
    return ids, follows


async def test_flushall_in_the_middle_of_a_run_loses_nothing(live: LiveMesh):
    users, follows = await social_world(live, users=12, follows_each=4, seed=3)
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
    await live.settle(timeout=30)
    await redis.aclose()
    await assert_timelines_consistent(live.whole_home_ids, follows, posted)


async def rabbitmqctl(*args: str) -> None:
    process = await asyncio.create_subprocess_exec("rabbitmqctl", *args, stdout=asyncio.subprocess.DEVNULL)
    assert await asyncio.wait_for(process.wait(), 60) == 0, f"rabbitmqctl {' '.join(args)} failed"


@pytest.mark.parametrize("settings", ["production"], indirect=True)
async def test_a_rabbitmq_restart_in_the_middle_of_a_posting_run_loses_nothing(live: LiveMesh):
    users, follows = await social_world(live, users=10, follows_each=3, seed=5)
    posted: dict[int, list[int]] = {u: [] for u in users}
    phase = {"now": "before"}
    accepted = {"before": 0, "during": 0, "after": 0}

    async def post_run() -> None:
        n = 0
        while accepted["after"] < 15:
            author = users[n % len(users)]
            posted[author].append(await live.post(author, f"tweet {n}"))  # accepted whatever the broker does
            accepted[phase["now"]] += 1
            n += 1
            await asyncio.sleep(0.02)

    async def restart_broker() -> None:
        await asyncio.sleep(0.3)
        phase["now"] = "during"
        await rabbitmqctl("stop_app")
        await asyncio.sleep(1.0)
        await rabbitmqctl("start_app")
        phase["now"] = "after"

    await asyncio.wait_for(asyncio.gather(post_run(), restart_broker()), timeout=120)
    assert min(accepted.values()) > 0, accepted
    non_celebrity = {r: {a for a in f if sum(a in g for g in follows.values()) < 6} for r, f in follows.items()}
    await wait_until_pushed(non_celebrity, posted, timeout=90)
    await live.settle(timeout=30)
    await assert_timelines_consistent(live.whole_home_ids, follows, posted)
