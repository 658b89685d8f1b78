"""A warm home page merging many celebrities' lists, each read only as far as the merge reaches it, shows
what the slow way shows: lists of every length, some longer than an author's kept ids, at every page size."""

import random

import pytest
from redis.asyncio import Redis

from chirp.timeline.v1 import timeline_service_pb2 as pb
from services.common.kernel.pagination import PageRequest
from services.common.visibility.cached import CachedHiddenAccounts
from services.common.visibility.copies import RedisHiddenCopies
from services.timeline.adapters import redis_layout as layout
from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_read_model import RedisCopies
from services.timeline.messages import home_response
from services.timeline.read_model import POSTS_KEPT, CachedReaders, CachedTweets
from services.timeline.service import TimelineService
from tests.integration.read_model_doubles import Graph, Tweets
from tests.integration.servers import REDIS_URL
from tests.integration.test_warm_pages import CountedPages

READER = 1


async def walk(service: TimelineService, size: int) -> list[int]:
    shown, cursor = [], None
    while True:
        page = await service.home(READER, PageRequest(size, cursor))
        shown += [t.tweet_id for t in pb.ListHomeTimelineResponse.FromString(home_response(page.items, "")).tweets]
        if page.next_cursor is None:
            return shown
        cursor = page.next_cursor


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_many_celebrity_lanes_walk_as_the_slow_way_does(seed):
    rng = random.Random(seed)
    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    try:
        tweets, graph = Tweets(), Graph()
        friends, celebrities = list(range(10, 14)), list(range(100, 100 + rng.randint(8, 24)))
        graph.accounts.add(READER)
        graph.following[READER], graph.celebrities[READER] = [*friends, *celebrities], celebrities
        busy = rng.choice(celebrities)  # posts more than an author's list keeps
        tweet_id = 10_000
        for _ in range(600):
            tweet_id += rng.randint(1, 5)
            author = busy if rng.random() < 0.25 else rng.choice([*friends, *celebrities, READER])
            tweets.post(author, tweet_id)
        assert len(tweets.by_author[busy]) > POSTS_KEPT
        posts = RedisTimelineCache(redis, POSTS_KEPT, 600, key=layout.posts_key)
        cards = CachedTweets(tweets, RedisCopies(redis), posts)
        hidden = CachedHiddenAccounts(graph, RedisHiddenCopies(redis))
        readers = CachedReaders(graph, RedisCopies(redis))
        slow = TimelineService(RedisTimelineCache(redis, 800, 600), readers, cards, 800, hidden=hidden)
        pages = CountedPages(redis)
        warm = TimelineService(RedisTimelineCache(redis, 800, 600), readers, cards, 800, pages, hidden=hidden)
        for size in (1, 7, 20, 50):
            expected = await walk(slow, size)
            assert len(expected) == len(set(expected)) and expected == sorted(expected, reverse=True)
            assert await walk(warm, size) == expected, size
        assert pages.served > 0
    finally:
        await redis.flushdb()
        await redis.aclose()
