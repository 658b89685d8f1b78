"""The TimelineCache contract: every implementation of the port must pass it."""

import pytest

from services.timeline.adapters.memory_cache import InMemoryTimelineCache

CAPACITY = 5


@pytest.fixture(params=["memory"])
def cache(request):
    return {"memory": lambda: InMemoryTimelineCache(CAPACITY)}[request.param]()


async def test_a_timeline_not_started_is_a_miss_and_ignores_pushes(cache):
    assert await cache.read(1) is None
    assert await cache.add([1], [10]) == 0
    assert await cache.read(1) is None


async def test_ids_come_back_newest_first_without_duplicates(cache):
    await cache.start(1)
    assert await cache.add([1], [20, 10, 30]) == 3
    assert await cache.add([1], [20]) == 0
    assert await cache.read(1) == [30, 20, 10]


async def test_a_timeline_is_trimmed_to_capacity_dropping_the_oldest(cache):
    await cache.start(1)
    await cache.add([1], list(range(1, 9)))
    assert await cache.read(1) == [8, 7, 6, 5, 4]


async def test_one_push_reaches_every_started_timeline(cache):
    for user in (1, 2):
        await cache.start(user)
    assert await cache.add([1, 2, 3], [42]) == 2
    assert (await cache.read(1), await cache.read(2), await cache.read(3)) == ([42], [42], None)


async def test_remove_takes_ids_out_wherever_they_are(cache):
    for user in (1, 2):
        await cache.start(user)
    await cache.add([1, 2], [10, 20])
    assert await cache.remove([1, 2, 3], [10, 99]) == 2
    assert await cache.read(1) == [20] and await cache.read(2) == [20]


async def test_start_keeps_an_existing_timeline_and_drop_forgets_it(cache):
    await cache.start(1)
    await cache.add([1], [10])
    await cache.start(1)
    assert await cache.read(1) == [10]
    await cache.drop(1)
    assert await cache.read(1) is None
