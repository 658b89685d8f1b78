"""The checks every fault test ends with: timelines hold exactly the expected tweets, newest first, once."""

import asyncio
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from services.timeline.adapters.redis_cache import RedisTimelineCache
from tests.integration.servers import REDIS_URL

HomeIds = Callable[[int], Awaitable[list[int]]]


def expected_home(reader: int, follows: dict[int, set[int]], posted: dict[int, list[int]]) -> list[int]:
    return sorted((t for author in follows[reader] | {reader} for t in posted.get(author, [])), reverse=True)


async def assert_timelines_consistent(home_ids: HomeIds, follows: dict[int, set[int]], posted: dict[int, list[int]]) -> None:
    """Every reader's home timeline, read through the Timeline service, is exactly what it should be."""
    for reader in follows:
        expected, shown = expected_home(reader, follows, posted), await home_ids(reader)
        assert shown == expected, f"reader {reader}: {len(shown)} shown, {len(expected)} expected"


async def wait_until_pushed(follows: dict[int, set[int]], posted: dict[int, list[int]], timeout: float = 60.0) -> None:
    """Waits until fan-out has written every followee's tweets into every reader's cached timeline
    (Redis itself, not a read that could rebuild it), with no entry twice and none extra."""
    cache = RedisTimelineCache(Redis.from_url(REDIS_URL), capacity=800, ttl_seconds=3600)
    deadline = time.monotonic() + timeout
    try:
        while True:
            wrong = {}
            for reader, followees in follows.items():
                cached = await cache.read(reader)
                pushed = sorted((t for author in followees for t in posted.get(author, [])), reverse=True)
                if cached != pushed:
                    wrong[reader] = (len(cached or []), len(pushed))
            if not wrong:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"fan-out incomplete after {timeout}s (reader: cached, expected): {wrong}")
            await asyncio.sleep(0.1)
    finally:
        await cache.close()
