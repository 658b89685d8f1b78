"""The bucket store contract: one suite, run against the memory store (embedded) and the Redis store
(mesh mode), on one Redis server and on a Redis Cluster.

The clock is the test's: each test moves it by hand to watch a bucket refill.
"""

import pytest
from redis.asyncio import Redis, RedisCluster

from services.common.kernel.errors import ResourceExhausted
from services.common.limits.buckets import TokenBuckets
from services.common.limits.memory_buckets import MemoryBuckets
from services.common.limits.rates import FOLLOW, LIKE, POST, Rate
from services.common.limits.redis_buckets import RedisBuckets
from services.common.limits.redis_layout import bucket_key
from tests.integration.servers import REDIS_URL

T0 = 1_800_000_000_000  # ms since the epoch (2027)
RATES = {POST: Rate(10, 60), FOLLOW: Rate(3, 3600)}
ALICE, BOB = 1001, 1002


class Clock:
    def __init__(self, now_ms: int = T0):
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["memory", "redis", "redis-cluster"])
async def store(request):
    if request.param == "memory":
        yield MemoryBuckets()
        return
    if request.param == "redis":
        client = Redis.from_url(REDIS_URL)
        await client.flushdb()
    else:
        client = RedisCluster(host="127.0.0.1", port=request.getfixturevalue("redis_cluster").ports[0])
        await client.flushall()
    yield RedisBuckets(client)
    await client.aclose()


@pytest.fixture
def limiter(store, clock) -> TokenBuckets:
    return TokenBuckets(store, RATES, clock)


async def taken(limiter: TokenBuckets, user_id: int, action: str, times: int) -> int:
    """How many of `times` takes succeeded."""
    count = 0
    for _ in range(times):
        try:
            await limiter.take(user_id, action)
            count += 1
        except ResourceExhausted:
            pass
    return count


async def test_a_full_bucket_allows_its_burst_then_refuses_saying_when_the_next_token_comes(limiter):
    assert await taken(limiter, ALICE, POST, 10) == 10
    with pytest.raises(ResourceExhausted) as refused:
        await limiter.take(ALICE, POST)
    assert refused.value.retry_after_ms == 6_000  # 10 a minute: one token every 6 s
    assert refused.value.message == "10 posts a minute: try again in 6 s"


async def test_the_wait_counts_down_as_time_passes(limiter, clock):
    await taken(limiter, ALICE, POST, 10)
    clock.now_ms += 4_500
    with pytest.raises(ResourceExhausted) as refused:
        await limiter.take(ALICE, POST)
    assert refused.value.retry_after_ms == 1_500


async def test_a_bucket_refills_evenly_and_never_above_its_size(limiter, clock):
    await taken(limiter, ALICE, POST, 10)
    clock.now_ms += 6_000
    assert await taken(limiter, ALICE, POST, 2) == 1
    clock.now_ms += 3_600_000  # an hour: full again, not 600 tokens
    assert await taken(limiter, ALICE, POST, 11) == 10


async def test_a_refused_take_costs_nothing(limiter, clock):
    await taken(limiter, ALICE, POST, 10)
    assert await taken(limiter, ALICE, POST, 5) == 0
    clock.now_ms += 6_000
    assert await taken(limiter, ALICE, POST, 1) == 1


async def test_buckets_are_per_user_and_per_action(limiter):
    assert await taken(limiter, ALICE, FOLLOW, 4) == 3
    assert await taken(limiter, BOB, FOLLOW, 4) == 3
    assert await taken(limiter, ALICE, POST, 10) == 10


async def test_an_action_without_a_rate_is_never_refused(limiter):
    assert await taken(limiter, ALICE, LIKE, 50) == 50


async def test_a_clock_behind_the_last_take_refills_nothing(limiter, clock):
    await taken(limiter, ALICE, FOLLOW, 3)
    clock.now_ms -= 60_000  # another replica's clock, a minute behind
    with pytest.raises(ResourceExhausted) as refused:
        await limiter.take(ALICE, FOLLOW)
    assert refused.value.message == "3 follows an hour: try again in 20 min"


async def test_two_limiters_on_one_store_share_the_bucket(store, clock):
    first, second = TokenBuckets(store, RATES, clock), TokenBuckets(store, RATES, clock)
    assert await taken(first, ALICE, FOLLOW, 2) + await taken(second, ALICE, FOLLOW, 2) == 3


async def test_redis_buckets_expire_once_they_would_be_full():
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    try:
        limiter = TokenBuckets(RedisBuckets(client), RATES, Clock())
        await taken(limiter, ALICE, POST, 2)
        assert 11_000 < await client.pttl(bucket_key(ALICE, POST)) <= 12_000  # two tokens: 12 s to refill
        assert await client.hgetall(bucket_key(ALICE, POST)) == {b"tokens": b"8", b"at": str(T0).encode()}
    finally:
        await client.aclose()
