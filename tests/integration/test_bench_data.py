"""The benchmark's data path on real servers: a power-law graph streamed into PostgreSQL reads back
through the graph service's own repository, and timelines marked built in Redis read as built."""

from collections import Counter

import pytest
from redis.asyncio import Redis

from bench.bulk import copy_graph, copy_tweets
from bench.power_law import PowerLawGraph, PullQuery, fill_timelines
from chirp_client.graphs import power_law_follows
from services.common.kernel.pagination import PageRequest
from services.common.messaging.outbox.postgres_store import PostgresOutbox
from services.common.runtime.config import Settings
from services.common.storage.postgres import PostgresDatabase
from services.graph.adapters.postgres_migrations import MIGRATIONS as GRAPH_MIGRATIONS
from services.graph.adapters.postgres_repository import PostgresGraphRepository
from services.graph.domain import CelebrityLine
from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_layout import timeline_key
from services.tweet.adapters.postgres_migrations import MIGRATIONS as TWEET_MIGRATIONS
from tests.integration.servers import REDIS_URL, flush_test_redis

USERS, MEAN_FOLLOWING = 600, 40


@pytest.fixture
async def graph_database(postgres_dsn):
    graph_db = await PostgresDatabase.open(postgres_dsn, "graph", GRAPH_MIGRATIONS)
    tweet_db = await PostgresDatabase.open(postgres_dsn, "tweet", TWEET_MIGRATIONS)
    yield postgres_dsn, PostgresGraphRepository(graph_db, PostgresOutbox(graph_db), CelebrityLine(Settings.celebrity_threshold))
    await graph_db.close()
    await tweet_db.close()


async def test_a_streamed_power_law_graph_reads_back_with_exact_counts(graph_database):
    dsn, repository = graph_database
    follows = list(power_law_follows(USERS, MEAN_FOLLOWING, seed=5))
    copied = await copy_graph(dsn, [f"bulk_{n}" for n in range(USERS)], iter(follows))

    followers, following = Counter(b for _, b in follows), Counter(a for a, _ in follows)
    assert list(copied.followers) == [followers[n] for n in range(USERS)]
    assert list(copied.following) == [following[n] for n in range(USERS)]
    top = max(range(USERS), key=lambda n: followers[n])
    user = await repository.get(copied.ids[top])
    assert (user.handle, user.follower_count, user.following_count) == (f"bulk_{top}", followers[top], following[top])
    page = await repository.follower_ids(copied.ids[top], PageRequest(1000))
    assert sorted(page.items) == sorted(copied.ids[a] for a, b in follows if b == top)

    graph = PowerLawGraph(copied.ids, copied.followers, copied.following, tweet_ids=[])
    assert graph.most_followed(1) == [copied.ids[top]]
    below = graph.most_followed(3, below=followers[top])
    assert all(graph.follower_count(u) < followers[top] for u in below) and len(below) == 3
    assert set(graph.readers(60)) == {copied.ids[n] for n in range(USERS) if following[n] >= 60}
    assert graph.describe(followers[top])["above_threshold"] >= 1


async def test_the_pull_query_reads_the_newest_tweets_of_followed_accounts(graph_database):
    dsn, _ = graph_database
    copied = await copy_graph(dsn, ["reader", "a", "b", "stranger"], iter([(0, 1), (0, 2)]))
    tweet_ids = await copy_tweets(dsn, copied.ids, 400)
    assert tweet_ids == sorted(tweet_ids) and len(set(tweet_ids)) == 400
    pull = await PullQuery.open(dsn)
    try:
        rows = await pull.home(copied.ids[0])
        assert len(rows) == 20 and {r["author_id"] for r in rows} <= {copied.ids[1], copied.ids[2]}
        assert [r["tweet_id"] for r in rows] == sorted((r["tweet_id"] for r in rows), reverse=True)
        assert await pull.sample_followers(copied.ids[1], 5) == [copied.ids[0]]
        assert await pull.followers_of([copied.ids[1], copied.ids[2]]) == [copied.ids[0]]
    finally:
        await pull.close()


async def test_filled_timelines_read_as_built_and_leave_existing_ones_alone():
    await flush_test_redis()
    redis = Redis.from_url(REDIS_URL)
    cache = RedisTimelineCache(redis, capacity=5, ttl_seconds=600)
    try:
        await cache.start(1)
        await cache.add([1], [500, 400])
        await cache.complete(1)
        await fill_timelines(redis, [1, 2, 3], [10, 30, 20, 40, 50], ttl_seconds=600, batch=2)
        assert await cache.read(1) == [500, 400]
        assert await cache.read(2) == [50, 40, 30, 20, 10] == await cache.read(3)
        assert await cache.add([2, 4], [900]) == 1  # fan-out writes 2, trimming it to capacity; 4 has no timeline
        assert await cache.read(2) == [900, 50, 40, 30, 20] and await cache.read(4) is None
        assert 0 < await redis.ttl(timeline_key(3)) <= 600
    finally:
        await redis.flushdb()
        await redis.aclose()
