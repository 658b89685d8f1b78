"""A warm home page in one Redis call shows what the slow way shows, and falls back whenever a copy is missing.

Both ways run over the same read model on a real Redis server; the owning
services behind it are stand-ins that count their calls.
"""

import grpc
import pytest
from redis.asyncio import Redis

from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.timeline.v1 import timeline_service_pb2_grpc as timeline_grpc
from services.common.kernel.ids import first_id_at, wall_clock_ms
from services.common.kernel.pagination import PageRequest, PageTokens
from services.common.rpc.server import create_server
from services.common.storage.redis_multiplexed import MultiplexedRedis
from services.common.visibility.cached import CachedHiddenAccounts
from services.common.visibility.copies import RedisHiddenCopies
from services.common.visibility.rules import HiddenAccounts, Surface
from services.timeline.adapters import redis_layout as layout
from services.timeline.adapters.redis_author_posts import RedisAuthorPosts
from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_home import RedisHomePages
from services.timeline.adapters.redis_notices import RedisReadNotices
from services.timeline.adapters.redis_read_model import RedisCopies
from services.timeline.domain import KeptResponse
from services.timeline.entrypoint import registration
from services.timeline.read_model import POSTS_KEPT, CachedReaders, CachedTweets
from services.timeline.service import TimelineService
from tests.integration.read_model_doubles import Graph, Tweets
from tests.integration.read_model_doubles import walk as walk_home
from tests.integration.servers import REDIS_URL, free_port
from tests.tokens import TEST_AUTHENTICATOR, as_user

READER, FRIENDS, CELEBRITY = 1, (7, 8), 50


class CountedPages(RedisHomePages):
    def __init__(self, redis):
        super().__init__(MultiplexedRedis(REDIS_URL))
        self.served = self.missed = self.kept = 0

    async def page(self, reader_id, page, keep=False):
        found = await super().page(reader_id, page, keep)
        self.served, self.missed = self.served + (found is not None), self.missed + (found is None)
        self.kept += isinstance(found, KeptResponse)
        return found


@pytest.fixture(params=["heads", "no heads"])
async def world(request):
    """With heads, celebrities' lists are opened as the merge reaches them; without, all at once."""
    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    tweets, graph = Tweets(), Graph()
    graph.accounts.add(READER)
    graph.following[READER], graph.celebrities[READER] = [*FRIENDS, CELEBRITY], [CELEBRITY]
    for n in range(40):
        tweets.post(FRIENDS[n % 2], 1000 + 10 * n)
        if n % 3 == 0:
            tweets.post(CELEBRITY, 1000 + 10 * n + 1)
        if n % 7 == 0:
            tweets.post(READER, 1000 + 10 * n + 2)
    tweets.retweet(FRIENDS[0], 1033, 1030)  # shows 1030, just below it: once on a page
    tweets.likes.add((READER, 1030))
    posts = RedisTimelineCache(redis, POSTS_KEPT, 600, key=layout.posts_key)
    if request.param == "heads":
        posts = RedisAuthorPosts(redis, posts, 600)
    cards = CachedTweets(tweets, RedisCopies(redis), posts)
    hidden = CachedHiddenAccounts(graph, RedisHiddenCopies(redis))
    slow = TimelineService(RedisTimelineCache(redis, 800, 600), CachedReaders(graph, RedisCopies(redis)), cards, 800, hidden=hidden)
    warm_pages = CountedPages(redis)
    warm = TimelineService(RedisTimelineCache(redis, 800, 600), CachedReaders(graph, RedisCopies(redis)), cards, 800, warm_pages, hidden=hidden)
    yield redis, tweets, slow, warm, warm_pages, RedisReadNotices(redis, posts)
    await redis.flushdb()
    await redis.aclose()


async def walk(service: TimelineService, size: int) -> list[tuple[int, bool]]:
    return await walk_home(service, READER, size)


@pytest.mark.parametrize("size", [1, 6, 20])
async def test_a_warm_walk_shows_what_the_slow_way_shows_and_asks_no_service(world, size):
    redis, tweets, slow, warm, pages, _ = world
    expected = await walk(slow, size)
    assert len(expected) == len({i for i, _ in expected})
    assert size < 20 or len(expected) == 40 + 14 + 6  # the retweet's original once, on the retweet's page
    assert (1033, True) in expected
    tweets.hydrated.clear()
    tweets.recent_calls.clear()
    assert await walk(warm, size) == expected
    assert pages.missed == 0 and pages.served > 0
    assert tweets.hydrated == [] and tweets.recent_calls == []


async def test_deletes_and_deleted_accounts_are_hidden_on_the_warm_way(world):
    redis, tweets, slow, warm, pages, notices = world
    await walk(slow, 10)
    tweets.deleted.add(1040)
    await notices.deleted([1040])
    await notices.account_deleted(FRIENDS[1])
    shown = [i for i, _ in await walk(warm, 10)]
    assert 1040 not in shown and not {i for i in shown if tweets.authors[i] == FRIENDS[1]}
    assert pages.missed == 0
    assert shown == [i for i, _ in await walk(slow, 10)]


async def test_a_missing_copy_sends_the_page_the_slow_way_which_keeps_it_again(world):
    redis, tweets, slow, warm, pages, _ = world
    expected = await walk(slow, 20)
    await redis.delete(layout.card_key(1390), layout.viewer_key(READER), layout.posts_key(CELEBRITY))
    assert await walk(warm, 20) == expected
    assert pages.missed > 0
    pages.missed = 0
    assert await walk(warm, 20) == expected
    assert pages.missed == 0


async def test_a_reader_not_yet_known_is_asked_of_the_graph(world):
    redis, tweets, slow, warm, pages, _ = world
    assert await walk(warm, 20) == await walk(slow, 20)
    assert pages.missed >= 1


async def home_read_failure(service: TimelineService) -> grpc.aio.AioRpcError:
    """How a home read through a real server fails."""
    running = await create_server("127.0.0.1:0", [registration(service, PageTokens(b"k" * 32))], TEST_AUTHENTICATOR)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = timeline_grpc.TimelineServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as failure:
                await stub.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), metadata=as_user(READER))
        return failure.value
    finally:
        await running.stop(0)


async def test_a_redis_that_does_not_answer_makes_a_home_read_unavailable_not_internal(world):
    redis, tweets, slow, warm, pages, _ = world
    address = f"redis://127.0.0.1:{free_port()}/0"
    gone = Redis.from_url(address, socket_connect_timeout=0.5)
    service = TimelineService(RedisTimelineCache(gone, 800, 600), CachedReaders(Graph(), RedisCopies(gone)), CachedTweets(tweets, RedisCopies(gone), None), 800,
                              RedisHomePages(MultiplexedRedis(address)), hidden=CachedHiddenAccounts(Graph(), RedisHiddenCopies(gone)))  # fmt: skip
    failure = await home_read_failure(service)
    await gone.aclose()
    assert failure.code() == grpc.StatusCode.UNAVAILABLE and "did not answer" in failure.details()


async def test_an_error_reply_to_the_page_script_sends_the_read_the_slow_way(world):
    redis, tweets, slow, warm, pages, _ = world
    await redis.set(layout.timeline_key(READER), b"not a timeline")  # any command on it answers WRONGTYPE
    assert await pages.page(READER, PageRequest(20, None)) is None
    assert pages.missed == 1


async def test_refused_redis_credentials_are_internal_not_a_retryable_unavailable(world):
    redis, tweets, slow, warm, pages, _ = world
    refused = Redis.from_url(REDIS_URL.replace("redis://", "redis://nobody:wrong@"))
    service = TimelineService(RedisTimelineCache(refused, 800, 600), CachedReaders(Graph(), RedisCopies(refused)),
                              CachedTweets(tweets, RedisCopies(refused), None), 800, hidden=CachedHiddenAccounts(Graph(), RedisHiddenCopies(refused)))  # fmt: skip
    failure = await home_read_failure(service)
    await refused.aclose()
    assert failure.code() == grpc.StatusCode.INTERNAL and "misconfigured" in failure.details()


async def test_a_retweet_of_a_deleted_tweet_is_hidden_on_the_warm_way_too(world):
    redis, tweets, slow, warm, pages, notices = world
    await walk(slow, 20)
    tweets.deleted.add(1030)
    await notices.deleted([1030])
    shown = [i for i, _ in await walk(warm, 20)]
    assert 1030 not in shown and 1033 not in shown
    assert pages.missed == 0 and shown == [i for i, _ in await walk(slow, 20)]


async def page_sizes_and_ids(service: TimelineService, size: int) -> tuple[list[int], list[int]]:
    sizes, shown, cursor = [], [], None
    while True:
        page = await service.home(READER, PageRequest(size, cursor))
        sizes.append(len(page.items))
        shown += [card.tweet_id for card in page.items]
        if page.next_cursor is None:
            return sizes, shown
        cursor = page.next_cursor


@pytest.mark.parametrize("size", [3, 10])
@pytest.mark.parametrize("hidden", [HiddenAccounts(muted=frozenset({FRIENDS[1]})), HiddenAccounts(blocked=frozenset({CELEBRITY, FRIENDS[1]}))],
                         ids=["muted-friend", "blocked-celebrity-and-friend"])  # fmt: skip
async def test_hidden_authors_and_retweets_of_them_are_left_out_both_ways_and_pages_come_full(world, size, hidden):
    redis, tweets, slow, warm, pages, _ = world
    await walk(slow, size)  # keeps every copy, as the Graph would have, then the reader hides accounts
    await RedisHiddenCopies(redis).put(READER, hidden)
    pages.missed = 0
    warm_sizes, warm_shown = await page_sizes_and_ids(warm, size)
    assert pages.missed == 0
    assert (warm_sizes, warm_shown) == await page_sizes_and_ids(slow, size)
    assert not {i for i in warm_shown if tweets.authors[i] in hidden.on(Surface.HOME)}
    assert 1033 not in warm_shown  # a friend's retweet of FRIENDS[1]'s 1030
    assert all(n == size for n in warm_sizes[:-1]) and len(warm_shown) >= 20


async def test_a_celebritys_list_whose_head_is_below_the_page_is_not_read(world):
    redis, tweets, slow, warm, pages, notices = world
    expected = await walk(slow, 6)
    await redis.delete(layout.posts_key(CELEBRITY))  # no list: a read that opens it goes the slow way
    await redis.set(layout.head_key(CELEBRITY), layout.pack_id(1001))  # below the first pages
    first = await warm.home(READER, PageRequest(6, None))
    assert [card.tweet_id for card in first.items] == [i for i, _ in expected[:6]]
    assert pages.missed == 0 and pages.served == 1
    assert await walk(warm, 6) == expected  # the last pages reach the head, open the list, find none: the slow way
    assert pages.missed >= 1


async def test_a_new_post_raises_its_authors_head_so_the_next_warm_page_shows_it(world):
    redis, tweets, slow, warm, pages, notices = world
    await walk(slow, 20)
    await notices.posted(CELEBRITY, tweets.post(CELEBRITY, 5000))
    await walk(slow, 20)  # keeps the new tweet's card
    page = await warm.home(READER, PageRequest(20, None))
    assert [card.tweet_id for card in page.items[:2]] == [5000, 1391] and pages.missed == 0 and pages.served == 1
    head = await redis.get(layout.head_key(CELEBRITY))
    assert head is None or layout.unpack_ids([head]) == [5000]  # None: the world without heads


async def test_a_tweet_posted_after_the_readers_states_were_kept_shows_warm_with_none_of_theirs(world):
    redis, tweets, slow, warm, pages, notices = world
    await walk(slow, 20)  # keeps the reader's states, born now
    fresh = tweets.post(FRIENDS[0], first_id_at(wall_clock_ms() + 60_000))  # posted after them (ids run ahead of a clock 2 s behind)
    await RedisTimelineCache(redis, 800, 600).add([READER], [fresh])
    await RedisCopies(redis).keep_cards(None, [fresh], {fresh: (await tweets.hydrate(None, [fresh]))[0]})  # another reader's read kept its card
    pages.missed = 0
    first = await warm.home(READER, PageRequest(20, None))
    assert (first.items[0].tweet_id, first.items[0].viewer) == (fresh, 0) and pages.missed == 0
    tweets.likes.add((READER, fresh))
    await notices.viewer_changed(READER)
    liked = [(t, liked) for t, liked in await walk(warm, 20) if t == fresh]
    assert liked == [(fresh, True)]
