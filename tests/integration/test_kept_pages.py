"""A reader's first home page, kept encoded in Redis, is answered again only while nothing it was read from changed.

Each change a reader's page can see (a push, a removal, their own post, their
like, a delete, a deleted account, a celebrity's post, a follow, a mute) is
made after the page was kept; the next read must show what the slow way shows.
The world is test_warm_pages.py's: a real Redis server, stand-in services.
"""

import asyncio

import pytest

from chirp.timeline.v1 import timeline_service_pb2 as pb
from services.common.kernel.pagination import Page, PageRequest
from services.common.visibility.copies import RedisHiddenCopies
from services.common.visibility.rules import HiddenAccounts
from services.timeline.adapters import redis_layout as layout
from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.domain import KeepablePage, KeptResponse
from services.timeline.messages import home_response
from services.timeline.read_model import KEPT_PAGE_SECONDS
from services.timeline.service import TimelineService
from tests.integration import test_warm_pages
from tests.integration.test_warm_pages import CELEBRITY, FRIENDS, READER

world = test_warm_pages.world  # the same fixture

FIRST = PageRequest(20, None)


def encode(page: Page) -> bytes:
    return home_response(page.items, str(page.next_cursor or ""))


def shown(response: bytes) -> list[tuple[int, bool]]:
    """Each tweet on the page, and whether the reader liked it (counts may lag: read_model.py)."""
    return [(t.tweet_id, t.viewer_liked) for t in pb.ListHomeTimelineResponse.FromString(response).tweets]


async def read(service: TimelineService, size: int = 20) -> bytes:
    return await service.home_response(READER, PageRequest(size, None), encode)


async def kept(redis) -> None:
    """Until the page sent to be kept (without waiting for Redis) is there."""
    for _ in range(100):
        if await redis.exists(layout.kept_page_key(READER)):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the first page was not kept")


async def read_and_keep(world_) -> bytes:
    redis, tweets, slow, warm, pages, notices = world_
    await read(slow)  # keeps every copy the warm page needs
    response = await read(warm)
    await kept(redis)
    return response


async def test_the_second_read_of_a_first_page_is_the_kept_response(world):
    redis, tweets, slow, warm, pages, notices = world
    response = await read_and_keep(world)
    pages.kept = 0
    assert await read(warm) == response
    assert pages.kept == 1
    assert shown(response) == shown(await read(slow))
    assert 0 < await redis.ttl(layout.kept_page_key(READER)) <= KEPT_PAGE_SECONDS


async def a_push(redis, tweets, graph, notices):
    await RedisTimelineCache(redis, 800, 600).add([READER], [tweets.post(FRIENDS[0], 6000)])


async def a_removal(redis, tweets, graph, notices):  # fan-out after an unfollow
    graph.following[READER].remove(FRIENDS[1])
    await RedisTimelineCache(redis, 800, 600).remove([READER], tweets.by_author[FRIENDS[1]])


async def an_own_post(redis, tweets, graph, notices):
    await notices.posted(READER, tweets.post(READER, 6001))


async def a_like(redis, tweets, graph, notices):
    tweets.likes.add((READER, 1380))  # FRIENDS[0]'s newest tweet
    await notices.viewer_changed(READER)


async def a_delete(redis, tweets, graph, notices):
    tweets.deleted.add(1390)
    await notices.deleted([1390])


async def a_deleted_account(redis, tweets, graph, notices):
    tweets.deleted.update(tweets.by_author[FRIENDS[1]])  # the Tweet service shows none of its tweets
    await notices.account_deleted(FRIENDS[1])


async def a_celebrity_followed(redis, tweets, graph, notices):
    for n in range(5):
        tweets.post(60, 7000 + n)
    graph.following[READER].append(60)
    graph.celebrities[READER].append(60)
    await notices.follows_changed(READER)


async def a_mute(redis, tweets, graph, notices):
    await RedisHiddenCopies(redis).put(READER, HiddenAccounts(muted=frozenset({FRIENDS[0]})))


CHANGES = [a_push, a_removal, an_own_post, a_like, a_delete, a_deleted_account, a_celebrity_followed, a_mute]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
async def test_after_a_change_the_next_read_shows_what_the_slow_way_shows(world, change):
    redis, tweets, slow, warm, pages, notices = world
    before = shown(await read_and_keep(world))
    await change(redis, tweets, slow._graph._graph, notices)
    after = shown(await read(warm))
    assert after != before
    assert after == shown(await read(slow))


@pytest.mark.parametrize("world", ["heads"], indirect=True)
async def test_a_celebritys_post_raises_their_head_so_no_kept_page_hides_it(world):
    redis, tweets, slow, warm, pages, notices = world
    await read_and_keep(world)
    await notices.posted(CELEBRITY, tweets.post(CELEBRITY, 6002))
    assert shown(await read(warm))[0][0] == 6002


async def test_another_page_size_is_not_answered_with_the_kept_page(world):
    redis, tweets, slow, warm, pages, notices = world
    await read_and_keep(world)
    pages.kept = 0
    assert shown(await read(warm, 6)) == shown(await read(slow, 6))
    assert pages.kept == 0


async def test_a_page_kept_after_a_write_that_came_while_it_was_read_is_never_answered(world):
    redis, tweets, slow, warm, pages, notices = world
    await read(slow)
    page = await pages.page(READER, FIRST, keep=True)
    assert isinstance(page, KeepablePage)
    await RedisTimelineCache(redis, 800, 600).add([READER], [tweets.post(FRIENDS[0], 6003)])
    page.keep(encode(page))  # the page read before the push, kept after it
    await kept(redis)
    assert not isinstance(await pages.page(READER, FIRST, keep=True), KeptResponse)
    assert shown(await read(warm))[0][0] == 6003


async def test_later_pages_are_neither_kept_nor_answered_kept(world):
    redis, tweets, slow, warm, pages, notices = world
    first = await read_and_keep(world)
    cursor = int(pb.ListHomeTimelineResponse.FromString(first).next_page_token)
    await slow.home(READER, PageRequest(20, cursor))  # keeps the second page's copies
    second = await pages.page(READER, PageRequest(20, cursor), keep=True)
    assert type(second) is Page and len(second.items) == 20
