import pytest

from services.common.kernel.errors import Unauthenticated
from services.common.kernel.pagination import PageRequest
from services.timeline.adapters.memory_cache import InMemoryTimelineCache
from services.timeline.service import TimelineService
from tests.unit.fakes import FakeGraph, FakeTweets

READER, FRIEND, STAR = 1, 2, 3


@pytest.fixture
def world():
    graph, tweets = FakeGraph(celebrity_threshold=3), FakeTweets()
    graph.follow(READER, FRIEND)
    for fan in (READER, 10, 11):
        graph.follow(fan, STAR)  # three followers: STAR is a celebrity
    cache = InMemoryTimelineCache(capacity=800)
    return graph, tweets, cache, TimelineService(cache, graph, tweets, capacity=800, hidden=graph)


async def ids(service, size=100, cursor=None):
    page = await service.home(READER, PageRequest(size, cursor))
    return [card.tweet_id for card in page.items], page.next_cursor


async def test_a_miss_rebuilds_from_storage_with_every_followee(world):
    graph, tweets, cache, service = world
    tweets.add(100, FRIEND)
    tweets.add(101, STAR)
    assert (await ids(service))[0] == [101, 100]
    assert await cache.read(READER) == [101, 100]  # the celebrity's too: there if they stop being one


async def test_celebrity_and_own_tweets_are_merged_with_pushed_ones(world):
    graph, tweets, cache, service = world
    await service.home(READER, PageRequest(10))
    await cache.add([READER], [tweets.add(200, FRIEND)])
    tweets.add(201, STAR)
    tweets.add(202, READER)
    assert (await ids(service))[0] == [202, 201, 200]


async def test_a_retweet_of_a_tweet_already_shown_is_not_shown_again(world):
    graph, tweets, cache, service = world
    tweets.add(300, STAR)
    tweets.add(301, FRIEND, retweet_of=300)
    shown, _ = await ids(service)
    assert shown == [301]


async def test_pages_have_no_duplicates_and_no_gaps_while_tweets_arrive(world):
    graph, tweets, cache, service = world
    for tweet_id in range(1000, 1030):
        tweets.add(tweet_id, STAR if tweet_id % 3 == 0 else FRIEND)
    await cache.start(READER)
    await cache.complete(READER)
    await cache.add([READER], [i for i in range(1000, 1030) if i % 3])
    seen, cursor, next_new = [], None, 5000
    while True:
        page, cursor = await ids(service, size=7, cursor=cursor)
        seen += page
        await cache.add([READER], [tweets.add(next_new, FRIEND)])  # newer tweets keep arriving
        tweets.add(next_new + 1, STAR)
        next_new += 2
        if cursor is None:
            break
    assert seen == list(range(1029, 999, -1))


async def test_deleted_tweets_are_skipped_and_the_page_is_still_filled(world):
    graph, tweets, cache, service = world
    for tweet_id in range(1, 11):
        tweets.add(tweet_id, FRIEND)
    tweets.deleted |= {10, 9, 8}
    shown, cursor = await ids(service, size=3)
    assert shown == [7, 6, 5] and cursor == 5


async def test_one_hydration_call_serves_a_page_when_nothing_is_filtered(world):
    graph, tweets, cache, service = world
    for tweet_id in range(1, 50):
        tweets.add(tweet_id, FRIEND)
    await service.home(READER, PageRequest(20))
    tweets.hydrate_calls = 0
    await service.home(READER, PageRequest(20))
    assert tweets.hydrate_calls == 1


async def test_the_last_page_says_so(world):
    graph, tweets, cache, service = world
    tweets.add(1, FRIEND)
    assert await ids(service, size=5) == ([1], None)


async def test_a_reader_without_an_account_is_unauthenticated(world):
    with pytest.raises(Unauthenticated):
        await world[3].home(999, PageRequest(5))


async def test_an_unfollow_handled_during_a_rebuild_does_not_leave_the_authors_tweets(world):
    graph, tweets, cache, service = world
    tweets.add(100, FRIEND)
    original_recent_ids = tweets.recent_ids

    async def recent_ids_while_unfollowing(author_ids, before, limit):
        ids = await original_recent_ids(author_ids, before, limit)
        graph.edges.remove((READER, FRIEND))  # the unfollow lands while the rebuild reads storage
        await cache.remove([READER], await tweets.ids_ever_posted_by(FRIEND, 800))  # fan-out finds nothing yet
        return ids

    tweets.recent_ids = recent_ids_while_unfollowing
    await service.cached_ids(READER)
    tweets.recent_ids = original_recent_ids
    assert await cache.read(READER) == []
    assert (await ids(service))[0] == []
