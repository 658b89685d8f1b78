"""Fan-out's marks of unfollows, in memory and on the Redis server: made, found among many followers, and
dropped once older than they are kept."""

import asyncio

import pytest
from redis.asyncio import Redis

from services.fanout.adapters.memory_unfollow_marks import MemoryUnfollowMarks
from services.fanout.adapters.redis_unfollow_marks import RedisUnfollowMarks, unfollows_key
from tests.integration.servers import REDIS_URL

KEPT_SECONDS = 1


@pytest.fixture(params=["memory", "redis"])
async def marks(request):
    if request.param == "memory":
        yield MemoryUnfollowMarks(KEPT_SECONDS)
        return
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    yield RedisUnfollowMarks(client, KEPT_SECONDS)
    await client.aclose()


async def test_marks_are_found_among_the_followers_asked_about(marks):
    assert await marks.marked(9, [1, 2, 3]) == set()
    await marks.mark(2, 9)
    await marks.mark(3, 8)  # another followee's
    await marks.mark(2**63 - 1, 9)
    assert await marks.marked(9, [1, 2, 3, 2**63 - 1]) == {2, 2**63 - 1}
    assert await marks.marked(8, [1, 2, 3]) == {3}
    assert await marks.marked(9, []) == set()
    together = await asyncio.gather(marks.marked(9, [2, 3]), marks.marked(8, [2, 3]), marks.marked(7, [2]))  # one pipeline
    assert together == [{2}, {3}, set()]


async def test_marks_older_than_they_are_kept_are_dropped_as_the_next_is_made(marks):
    await marks.mark(1, 9)
    await asyncio.sleep(KEPT_SECONDS + 0.1)
    await marks.mark(2, 9)
    assert await marks.marked(9, [1, 2]) == {2}


async def test_the_redis_key_expires_after_its_last_mark():
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    await RedisUnfollowMarks(client, 60).mark(1, 9)
    assert 59_000 < await client.pttl(unfollows_key(9)) <= 60_000
    await client.aclose()
