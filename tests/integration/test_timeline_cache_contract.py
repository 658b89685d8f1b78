"""The TimelineCache contract: one suite, run against every implementation of the port.

In memory (the embedded default), on the Redis server, and on a local 3-node
Redis Cluster, which these tests start on loopback.
"""

import pytest
from redis.asyncio import Redis, RedisCluster

from services.timeline.adapters.memory_cache import InMemoryTimelineCache
from services.timeline.adapters.redis_cache import SCRIPT_KEYS, RedisTimelineCache
from services.timeline.adapters.redis_replica_acks import ReplicaAcks
from tests.integration.servers import REDIS_URL

CAPACITY = 5


WIDE = 2500  # more than a few of the blocks a Redis timeline is walked in, and than a script pushes at once


async def open_cache(request, capacity: int):
    if request.param == "memory":
        yield InMemoryTimelineCache(capacity)
        return
    if request.param == "redis":
        client = Redis.from_url(REDIS_URL)
    else:
        port = request.getfixturevalue("redis_cluster").ports[0]
        client = RedisCluster(host="127.0.0.1", port=port)
    await client.flushdb() if request.param == "redis" else await client.flushall()
    acks = ReplicaAcks(client, 500) if isinstance(client, RedisCluster) else None  # no replicas here: no WAIT is sent
    yield RedisTimelineCache(client, capacity, ttl_seconds=60, replica_acks=acks)
    await client.aclose()


@pytest.fixture(params=["memory", "redis", "redis-cluster"])
async def cache(request):
    async for opened in open_cache(request, CAPACITY):
        yield opened


@pytest.fixture(params=["memory", "redis", "redis-cluster"])
async def wide(request):
    async for opened in open_cache(request, WIDE):
        yield opened


async def ready(cache, *users: int) -> None:
    for user in users:
        await cache.start(user)
        await cache.complete(user)


async def test_a_timeline_not_started_is_a_miss_and_ignores_pushes(cache):
    assert await cache.read(1) is None
    assert await cache.add([1], [10]) == 0
    assert await cache.read(1) is None


async def test_a_timeline_being_built_takes_pushes_but_reads_miss_until_complete(cache):
    await cache.start(1)
    assert await cache.add([1], [10, 20]) == 2
    assert await cache.read(1) is None
    await cache.complete(1)
    assert await cache.read(1) == [20, 10]


async def test_ids_come_back_newest_first_without_duplicates(cache):
    await ready(cache, 1)
    assert await cache.add([1], [20, 10, 30]) == 3
    assert await cache.add([1], [20]) == 0
    assert await cache.read(1) == [30, 20, 10]


async def test_ids_arriving_out_of_order_are_placed_in_order_once(cache):
    await ready(cache, 1)
    for tweet_id in (30, 10, 20, 20, 25, 30, 40):
        await cache.add([1], [tweet_id])
    assert await cache.read(1) == [40, 30, 25, 20, 10]
    assert await cache.add([1], [5]) == 0  # older than everything a full timeline keeps
    assert await cache.read(1) == [40, 30, 25, 20, 10]


async def test_older_ids_are_merged_into_a_long_timeline_wherever_they_belong(wide):
    await ready(wide, 1)
    evens = list(range(2, 2 * WIDE + 1, 2))
    await wide.add([1], evens)
    older = [399, 301, 151, 17, 3, 200]  # the last is there already
    await wide.add([1], older)
    assert await wide.read(1) == sorted(set(evens + older), reverse=True)[:WIDE]
    assert await wide.read(1, before=151, limit=3) == [150, 148, 146]


async def test_a_rebuild_below_the_pushes_that_came_first_fills_the_tail_up_to_capacity(wide):
    await wide.start(1)
    await wide.add([1], [10**9, 10**8])  # pushes that landed while it was being built
    await wide.add([1], list(range(1, 3 * WIDE)))
    await wide.complete(1)
    assert await wide.read(1) == [10**9, 10**8, *range(3 * WIDE - 1, 2 * WIDE + 1, -1)]


async def test_large_ids_keep_their_order(cache):
    await ready(cache, 1)
    ids = [2**62 + 5, 2**40, 2**62 + 1, 2**63 - 1]
    await cache.add([1], ids)
    assert await cache.read(1) == sorted(ids, reverse=True)


async def test_a_timeline_is_trimmed_to_capacity_dropping_the_oldest(cache):
    await ready(cache, 1)
    await cache.add([1], list(range(2, 10)))
    assert await cache.read(1) == [9, 8, 7, 6, 5]


async def test_trimming_while_building_keeps_the_timeline_building(cache):
    await cache.start(1)
    await cache.add([1], list(range(2, 10)))
    assert await cache.read(1) is None
    await cache.complete(1)
    assert await cache.read(1) == [9, 8, 7, 6, 5]


async def test_one_push_reaches_every_started_timeline_across_slots(cache):
    users = list(range(100, 120))  # spread over the cluster's slots
    await ready(cache, *users)
    assert await cache.add([*users, 999], [42]) == len(users)
    assert [await cache.read(u) for u in users] == [[42]] * len(users)
    assert await cache.read(999) is None


async def test_a_push_to_more_timelines_than_one_script_call_takes_reaches_them_all_and_trims_each(cache):
    users = list(range(1000, 1000 + 2 * SCRIPT_KEYS + 7))
    await ready(cache, *users[1:])  # the first has no timeline
    for tweet_id in range(1, CAPACITY + 1):
        await cache.add(users, [100 + tweet_id])
    assert await cache.add(users, [200, 201]) == 2 * (len(users) - 1)
    expected = [201, 200, 105, 104, 103]
    assert await cache.read(users[0]) is None
    assert [await cache.read(u) for u in users[1:]] == [expected] * (len(users) - 1)


async def test_remove_takes_ids_out_wherever_they_are(cache):
    await ready(cache, 1, 2)
    await cache.add([1, 2], [10, 20])
    assert await cache.remove([1, 2, 3], [10, 99]) == 2
    assert await cache.read(1) == [20] and await cache.read(2) == [20]


async def test_removing_every_id_leaves_an_empty_timeline_not_a_miss(cache):
    await ready(cache, 1)
    await cache.add([1], [10])
    await cache.remove([1], [10])
    assert await cache.read(1) == []


async def test_start_keeps_what_is_there_and_drop_forgets_it(cache):
    await ready(cache, 1)
    await cache.add([1], [10])
    await ready(cache, 1)
    assert await cache.read(1) == [10]
    await cache.drop(1)
    assert await cache.read(1) is None


async def test_a_read_can_ask_for_a_window_below_a_cursor(cache):
    await ready(cache, 1)
    await cache.add([1], [10, 20, 30, 40])
    assert await cache.read(1, limit=2) == [40, 30]
    assert await cache.read(1, before=30, limit=5) == [20, 10]
    assert await cache.read(1, before=11) == [10]
    assert await cache.read(1, before=10, limit=3) == []
    await cache.start(2)
    await cache.add([2], [10])
    assert await cache.read(2, limit=2) is None  # still building: a miss, however it is read
    assert await cache.read(3, limit=2) is None
