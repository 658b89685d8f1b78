"""The TrendStore contract: one suite, run against the memory store (embedded) and the Redis store (mesh mode)."""

import asyncio

import pytest
from redis.asyncio import Redis

from services.common.kernel.ids import wall_clock_ms
from services.trending.adapters.memory_trends import InMemoryTrendStore
from services.trending.adapters.redis_layout import authors_key, uses_key
from services.trending.adapters.redis_trends import RedisTrendStore
from services.trending.domain import Ranking, TagCounts, Trend, Use
from tests.integration.servers import REDIS_URL

T0 = 29_000_000  # a minute since the epoch (2025)
NOW_MS = (T0 + 10) * 60_000


@pytest.fixture(params=["memory", "redis"])
async def store(request):
    if request.param == "memory":
        yield InMemoryTrendStore(wall_clock_ms)  # the lease lapses in real time, as Redis's does
        return
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    yield RedisTrendStore(client)
    await client.aclose()


def use(tweet: int, author: int, minute: int, *tags: str) -> Use:
    return Use(tweet, author, T0 + minute, tags)


async def add(store, *uses: Use) -> list[bool]:
    return [await store.add(u, T0 - 100) for u in uses]


async def test_counts_are_distinct_authors_and_tweets_since_a_minute(store):
    await add(store, use(1, 10, 0, "a", "b"), use(2, 10, 1, "a"), use(3, 11, 2, "a"), use(4, 12, 5, "b"))
    assert await store.counts(["a", "b", "none"], T0) == [TagCounts(2, 3), TagCounts(2, 2), TagCounts(0, 0)]
    assert await store.counts(["a", "b"], T0 + 2) == [TagCounts(1, 1), TagCounts(1, 1)]
    assert sorted(await store.active_tags(T0 + 3)) == ["b"]
    assert sorted(await store.active_tags(T0)) == ["a", "b"]


async def test_a_tweet_counts_once_however_often_it_is_added(store):
    assert await add(store, use(1, 10, 0, "a"), use(1, 10, 0, "a")) == [True, False]
    assert await store.counts(["a"], T0) == [TagCounts(1, 1)]


async def test_uses_added_side_by_side_count_exactly_as_one_by_one(store):
    uses = [use(tweet, 10 + tweet % 7, tweet % 3, "a", *(["b"] if tweet % 2 else [])) for tweet in range(1, 201)]
    await store.remove_tweet(5, 10 + 5 % 7)  # deleted before it arrives, in the middle of a batch
    added = await asyncio.gather(*(store.add(u, T0 - 100) for u in uses + uses[:50]))  # redelivered ones too
    assert added[:200] == [tweet != 5 for tweet in range(1, 201)]
    assert await store.counts(["a", "b"], T0) == [TagCounts(7, 199), TagCounts(7, 99)]
    assert await store.counts(["a"], T0 + 2) == [TagCounts(7, 66)]


async def test_a_removed_tweet_stops_counting_and_its_author_falls_back_to_an_earlier_use(store):
    await add(store, use(1, 10, 0, "a"), use(2, 10, 5, "a", "b"), use(3, 11, 5, "a"))
    await store.remove_tweet(2, 10)
    assert await store.counts(["a", "b"], T0 + 3) == [TagCounts(1, 1), TagCounts(0, 0)]
    assert await store.counts(["a"], T0) == [TagCounts(2, 2)]
    await store.remove_tweet(2, 10)  # twice: harmless
    assert await store.counts(["a"], T0) == [TagCounts(2, 2)]


async def test_a_tweet_removed_before_it_arrives_never_counts(store):
    await store.remove_tweet(7, 10)
    assert await add(store, use(7, 10, 0, "a")) == [False]
    assert await store.counts(["a"], T0) == [TagCounts(0, 0)]


async def test_a_deleted_author_loses_every_use_and_adds_no_more(store):
    await add(store, use(1, 10, 0, "a"), use(2, 10, 1, "b"), use(3, 11, 1, "a"))
    await store.remove_author(10)
    assert await store.counts(["a", "b"], T0) == [TagCounts(1, 1), TagCounts(0, 0)]
    assert await add(store, use(4, 10, 2, "a")) == [False]


async def test_authors_last_seen_counts_authors_whose_latest_use_is_in_a_range(store):
    await add(store, use(1, 10, 0, "a"), use(2, 11, 0, "a"), use(3, 11, 6, "a"), use(4, 12, 3, "a"))
    assert await store.authors_last_seen(["a", "b"], T0, T0 + 4) == [2, 0]


async def test_uses_before_the_trim_minute_are_dropped_and_unused_tags_expire(store):
    await store.add(use(1, 10, 0, "a"), T0 - 100)
    await store.add(use(2, 11, 50, "a"), T0 + 10)
    assert await store.counts(["a"], 0) == [TagCounts(1, 1)]
    await store.add(use(3, 11, 1, "old"), T0 - 100)
    await store.expire(T0 + 20)
    assert await store.active_tags(0) == ["a"]
    assert await store.counts(["old"], 0) == [TagCounts(0, 0)]


async def test_baselines_are_kept_by_minute_and_old_ones_dropped(store):
    await store.save_baseline(60, T0, {"a": 3}, keep_from_minute=0)
    await store.save_baseline(60, T0 + 5, {"a": 4, "b": 1}, keep_from_minute=T0 + 1)
    assert await store.baseline_minutes(60) == [T0 + 5]
    assert await store.baseline(60, T0 + 5) == {"a": 4, "b": 1}
    assert await store.baseline(60, T0) == {} and await store.baseline_minutes(5) == []


async def test_a_published_ranking_reads_back_whole(store):
    ranking = Ranking(60, NOW_MS, (Trend("café", 16.0, 5, 1, 7), Trend("b", 0.5, 9, 8, 9)))
    assert await store.ranking(60) is None
    await store.publish(ranking)
    assert await store.ranking(60) == ranking


async def test_wanted_windows_come_back_most_recent_first_and_age_out(store):
    await store.want_window(60, 1_000)
    await store.want_window(15, 3_000)
    await store.want_window(120, 2_000)
    assert await store.wanted_windows(1_500) == [15, 120]


async def test_the_lease_has_one_holder_until_released(store):
    assert await store.acquire("one", 60_000)
    assert await store.acquire("one", 60_000)  # its holder renews it
    assert not await store.acquire("two", 60_000)
    await store.release("two")  # not the holder: nothing happens
    assert not await store.acquire("two", 60_000)
    await store.release("one")
    assert await store.acquire("two", 60_000)


async def test_a_lease_whose_holder_vanished_lapses(store):
    assert await store.acquire("dead", 50)
    assert not await store.acquire("alive", 50)
    await asyncio.sleep(0.1)
    assert await store.acquire("alive", 50)


async def test_redis_keys_expire_with_the_retention():
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    store = RedisTrendStore(client)
    await store.add(use(1, 10, 0, "a"), T0 - 100)
    assert 0 < await client.ttl(authors_key("a")) and 0 < await client.ttl(uses_key("a"))
    await client.aclose()
