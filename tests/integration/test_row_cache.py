"""The Redis row caches of tweets and users: served from Redis, and never a wrong count.

Against the local PostgreSQL and Redis, and a 3-node Redis Cluster on
loopback. The whole storage contract also runs through these caches
(test_store_contract.py, "postgres+cache"); these tests check what only a
cache can get wrong: stale fills, racing writers, a writer that dies
after its commit, tombstones, and Redis going away.
"""

import asyncio
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis, RedisCluster

from services.common.kernel.errors import Unavailable
from services.common.kernel.events import TweetLiked
from services.common.kernel.ids import compose, created_at
from services.common.messaging.outbox.postgres_store import PostgresOutbox
from services.common.runtime.config import Settings
from services.common.storage.postgres import PostgresDatabase
from services.common.storage.row_cache import RowCache
from services.graph.adapters import cached_repository as cached_graph
from services.graph.adapters.postgres_migrations import MIGRATIONS as GRAPH_MIGRATIONS
from services.graph.adapters.postgres_repository import PostgresGraphRepository
from services.graph.domain import CelebrityLine, User
from services.mesh.backends import redis_client
from services.tweet.adapters import cached_repository as cached_tweets
from services.tweet.adapters.postgres_migrations import MIGRATIONS as TWEET_MIGRATIONS
from services.tweet.adapters.postgres_repository import PostgresTweetRepository
from services.tweet.domain import Tweet
from tests.integration.servers import REDIS_URL, free_port

TTL_SECONDS = 120
WINDOW_SECONDS = 0.5


def sid(n: int) -> int:
    return compose(1_700_000_000_000 + n, 2, 0)


@dataclass
class Cached:
    redis: Redis | RedisCluster
    tweet_db: PostgresDatabase
    graph_store: PostgresGraphRepository
    tweet_store: PostgresTweetRepository
    users: cached_graph.CachedGraphRepository
    tweets: cached_tweets.CachedTweetRepository

    def tweet_cache(self, redis=None) -> RowCache[Tweet]:
        return RowCache(redis or self.redis, "tweet", cached_tweets.encode, cached_tweets.decode, TTL_SECONDS, WINDOW_SECONDS)

    async def like_count_stored(self, tweet_id: int) -> tuple[int, int]:
        """(the tweet's like_count column, how many like rows it has), read from PostgreSQL."""
        row = await self.tweet_db.fetch_one(
            "SELECT like_count, (SELECT COUNT(*) FROM likes WHERE tweet_id = $1) AS rows FROM tweets WHERE tweet_id = $1",
            tweet_id,
        )
        return row["like_count"], row["rows"]


@pytest.fixture(params=["redis", "redis-cluster"])
async def cached(request, postgres_dsn):
    if request.param == "redis":
        redis = Redis.from_url(REDIS_URL)
        await redis.flushdb()
    else:
        redis = RedisCluster(host="127.0.0.1", port=request.getfixturevalue("redis_cluster").ports[0])
        await redis.flushall()
    graph_db = await PostgresDatabase.open(postgres_dsn, "graph", GRAPH_MIGRATIONS)
    tweet_db = await PostgresDatabase.open(postgres_dsn, "tweet", TWEET_MIGRATIONS)
    graph_store = PostgresGraphRepository(graph_db, PostgresOutbox(graph_db), CelebrityLine(Settings.celebrity_threshold))
    tweet_store = PostgresTweetRepository(tweet_db, PostgresOutbox(tweet_db))
    user_cache = RowCache(redis, "user", cached_graph.encode, cached_graph.decode, TTL_SECONDS, WINDOW_SECONDS)
    tweet_cache = RowCache(redis, "tweet", cached_tweets.encode, cached_tweets.decode, TTL_SECONDS, WINDOW_SECONDS)
    yield Cached(redis, tweet_db, graph_store, tweet_store, cached_graph.CachedGraphRepository(graph_store, user_cache),
                 cached_tweets.CachedTweetRepository(tweet_store, tweet_cache))  # fmt: skip
    await redis.aclose()
    await tweet_db.close()
    await graph_db.close()


async def a_tweet(cached: Cached, n: int = 1) -> Tweet:
    tweet = Tweet(sid(n), sid(1000), f"tweet {n}")
    await cached.tweets.add(tweet, [])
    return tweet


async def like(repository, tweet_id: int, user: int) -> bool:
    return await repository.like(tweet_id, sid(user), [TweetLiked(tweet_id, sid(user))])


async def test_a_filled_row_is_served_from_redis_with_an_expiry(cached: Cached):
    tweet = await a_tweet(cached)
    assert (await cached.tweets.get_many([tweet.tweet_id]))[tweet.tweet_id].text == "tweet 1"  # fills
    await cached.tweet_db.execute("UPDATE tweets SET text = 'changed behind the cache' WHERE tweet_id = $1", tweet.tweet_id)
    assert (await cached.tweets.get_many([tweet.tweet_id]))[tweet.tweet_id].text == "tweet 1"
    ttl_ms = await cached.redis.pttl(cached.tweet_cache().key(tweet.tweet_id))
    assert 0 < ttl_ms <= TTL_SECONDS * 1000


async def test_counts_stay_exact_under_racing_likes_unlikes_and_reads(cached: Cached):
    tweet = await a_tweet(cached)
    await asyncio.gather(*(like(cached.tweets, tweet.tweet_id, u) for u in range(40)))

    async def unlike(user: int) -> None:
        await cached.tweets.unlike(tweet.tweet_id, sid(user), [])

    async def read_often() -> None:
        for _ in range(30):
            await cached.tweets.get_many([tweet.tweet_id])
            await asyncio.sleep(0)

    writes = [like(cached.tweets, tweet.tweet_id, u) for u in range(40, 80)] + [unlike(u) for u in range(0, 40, 2)]  # of earlier likes
    await asyncio.gather(*writes, *(read_often() for _ in range(4)))
    column, rows = await cached.like_count_stored(tweet.tweet_id)
    assert column == rows == 80 - 20
    assert (await cached.tweets.get_many([tweet.tweet_id]))[tweet.tweet_id].like_count == 60


async def test_a_reader_that_read_before_a_write_cannot_fill_the_older_row(cached: Cached):
    tweet = await a_tweet(cached)
    before = await cached.tweet_store.revisions([tweet.tweet_id])  # a reader reads the store...
    await like(cached.tweets, tweet.tweet_id, 1)  # ...a like commits and is stored...
    await cached.tweet_cache().fill(before)  # ...then the reader's fill arrives, late
    assert (await cached.tweets.get_many([tweet.tweet_id]))[tweet.tweet_id].like_count == 1


async def test_a_writer_that_dies_after_its_commit_leaves_no_wrong_count(cached: Cached):
    tweet = await a_tweet(cached)
    assert (await cached.tweets.get_many([tweet.tweet_id]))[tweet.tweet_id].like_count == 0  # cached at 0
    cache = cached.tweet_cache()
    await cache.writing([tweet.tweet_id])  # the writer marks the row...
    await like(cached.tweet_store, tweet.tweet_id, 1)  # ...commits, and dies before storing the row
    assert (await cached.tweets.get_many([tweet.tweet_id]))[tweet.tweet_id].like_count == 1  # marked: from the store
    await asyncio.sleep(WINDOW_SECONDS + 0.2)  # the mark expires
    assert (await cached.tweets.get_many([tweet.tweet_id]))[tweet.tweet_id].like_count == 1  # filled again
    assert await cached.redis.exists(cache.key(tweet.tweet_id)) == 1


async def test_a_deleted_tweet_is_a_tombstone_that_no_late_fill_revives(cached: Cached):
    tweet = await a_tweet(cached)
    before = await cached.tweet_store.revisions([tweet.tweet_id])
    assert await cached.tweets.delete(tweet, [])
    await cached.tweet_cache().fill(before)
    assert await cached.tweets.get_many([tweet.tweet_id]) == {}
    assert await cached.redis.get(cached.tweet_cache().key(tweet.tweet_id)) == b"T|"


async def test_follower_counts_of_every_neighbour_are_exact_after_an_account_deletion(cached: Cached):
    people = [User(sid(n), f"person{n}", f"Person {n}", created_at(sid(n))) for n in range(1, 7)]
    for person in people:
        await cached.users.add_user(person)
    leaving, *others = [p.user_id for p in people]
    for other in others[:3]:
        await cached.users.follow(other, leaving, [])
    for other in others[2:]:
        await cached.users.follow(leaving, other, [])
    assert [u.follower_count for u in await cached.users.get_many(others)] == [0, 0, 1, 1, 1]  # all cached now
    assert await cached.users.delete_user(leaving, lambda followers: [])
    assert await cached.users.get(leaving) is None
    assert [(u.follower_count, u.following_count) for u in await cached.users.get_many(others)] == [(0, 0)] * 5


async def test_without_redis_reads_go_to_the_store_and_writes_are_refused_before_it(cached: Cached):
    tweet = await a_tweet(cached)
    gone = redis_client(Settings(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    blind = cached_tweets.CachedTweetRepository(cached.tweet_store, cached.tweet_cache(gone))
    assert (await blind.get_many([tweet.tweet_id]))[tweet.tweet_id].text == "tweet 1"
    with pytest.raises(Unavailable, match="unreachable"):
        await like(blind, tweet.tweet_id, 1)
    assert await cached.like_count_stored(tweet.tweet_id) == (0, 0)
    await gone.aclose()
