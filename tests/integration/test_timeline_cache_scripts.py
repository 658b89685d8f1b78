"""A Redis timeline's scripts cost one round trip a write, and a server that lost them is given them again."""

import asyncio

from redis.asyncio import Redis

from services.timeline.adapters.redis_cache import SCRIPT_KEYS, RedisTimelineCache


async def started(cache: RedisTimelineCache, *users: int) -> None:
    for user in users:
        await cache.start(user)
        await cache.complete(user)


async def script_checks(redis: Redis) -> int:
    stats = await redis.info("commandstats")
    return sum(stats.get(name, {}).get("calls", 0) for name in ("cmdstat_script|exists", "cmdstat_script|load"))


async def test_a_write_sends_its_scripts_by_sha_alone(redis):
    cache = RedisTimelineCache(redis, capacity=10, ttl_seconds=60)
    users = list(range(1, 2 * SCRIPT_KEYS + 3))
    await started(cache, *users)
    await cache.add(users, [5])
    await cache.remove(users, [6])  # the scripts are known from here on
    checks = await script_checks(redis)
    assert await cache.add(users, [7]) == len(users)
    assert await cache.remove(users[:1], [5]) == 1
    assert await cache.add(users[:1], [9]) == 1
    assert await script_checks(redis) == checks
    assert await cache.read(users[0]) == [9, 7]


async def test_a_server_that_forgot_the_scripts_is_given_them_and_each_write_lands_once(redis):
    cache = RedisTimelineCache(redis, capacity=10, ttl_seconds=60)
    await started(cache, 1, 2)
    await cache.add([1, 2], [5])
    await redis.script_flush()
    assert await cache.add([1, 2], [7]) == 2
    await redis.script_flush()
    assert await cache.remove([1], [5]) == 1
    assert [await cache.read(1), await cache.read(2)] == [[7], [7, 5]]




async def test_adds_asked_for_together_leave_in_one_pipeline_and_each_gets_its_count(redis, monkeypatch):
    cache = RedisTimelineCache(redis, capacity=10, ttl_seconds=60)
    await started(cache, 1, 2)
    await redis.script_flush()  # and a server without the script is given it
    pipelines, pipeline = [], redis.pipeline
    monkeypatch.setattr(redis, "pipeline", lambda **options: pipelines.append(options) or pipeline(**options))
    counts = await asyncio.gather(cache.add([1], [5]), cache.add([2], [6]), cache.add([1, 2], [7]), cache.add([3], [8]))
    assert counts == [1, 1, 2, 0]  # user 3 has no timeline: skipped
    assert [await cache.read(user) for user in (1, 2, 3)] == [[7, 5], [7, 6], None]
    assert len(pipelines) == 2  # refused for want of the script, then run again once it was loaded
