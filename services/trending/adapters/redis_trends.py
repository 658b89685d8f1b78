"""Trend counts in Redis (mesh mode), shared by every Trending replica: the same contract as the memory store.

The keys are redis_layout.py's; each change to the counts is one script
(redis_scripts.py), so replicas handling events side by side stay exact.
Uses added by concurrent handlers leave together, as one call of the script
(coalescing.py: at low load a use leaves at once, alone), and reads of many
tags are pipelined: one round trip per refresh step.
"""

import json
from collections.abc import Sequence

from redis.asyncio import Redis, RedisCluster

from services.common.runtime.coalescing import Coalescer
from services.trending.adapters import redis_layout as layout
from services.trending.adapters import redis_scripts as scripts
from services.trending.domain import RETENTION_MINUTES, Ranking, TagCounts, Use

TTL_SECONDS = RETENTION_MINUTES * 60
RANKING_TTL_SECONDS = 2 * 3600  # a window nobody asks for any more drops out of refreshes after an hour
EXPIRE_BATCH = 500
COUNT_BATCH = 2_000  # tags per counting call: a few milliseconds of Redis time each
ADD_BATCH = 100  # uses per adding call, at most

class RedisTrendStore:
    def __init__(self, redis: Redis | RedisCluster):
        self._redis = redis
        self._add, self._remove = redis.register_script(scripts.ADD), redis.register_script(scripts.REMOVE)
        self._acquire, self._release = redis.register_script(scripts.ACQUIRE), redis.register_script(scripts.RELEASE)
        self._counts, self._expire_tags = redis.register_script(scripts.COUNTS), redis.register_script(scripts.EXPIRE_TAGS)
        self._prefixes = [layout.authors_key(""), layout.uses_key("")]
        self._adds: Coalescer[tuple[Use, int], bool] = Coalescer(self._add_all, ADD_BATCH)

    async def add(self, use: Use, trim_before_minute: int) -> bool:
        return bool(await self._adds.get((use, trim_before_minute)))

    async def _add_all(self, uses: Sequence[tuple[Use, int]]) -> dict[tuple[Use, int], bool]:
        keys, args = [layout.TAGS_KEY], [*self._prefixes, TTL_SECONDS]
        for use, trim_before_minute in uses:
            keys += [layout.tweet_key(use.tweet_id), layout.author_key(use.author_id), layout.left_key(use.author_id)]
            args += [use.minute, trim_before_minute, layout.pack_id(use.author_id), layout.pack_id(use.tweet_id), use.tweet_id,
                     len(use.tags), *use.tags]  # fmt: skip
        added = await self._add(keys=keys, args=args)
        return {each: bool(answer) for each, answer in zip(uses, added)}

    async def remove_tweet(self, tweet_id: int, author_id: int, leaving: bool = False) -> None:
        keys = [layout.tweet_key(tweet_id), layout.author_key(author_id)]
        args = [*self._prefixes, TTL_SECONDS, layout.pack_id(tweet_id), tweet_id, layout.tweet_key(""), "1" if leaving else "0"]
        await self._remove(keys=keys, args=args)

    async def remove_author(self, author_id: int) -> None:
        await self._redis.set(layout.left_key(author_id), b"", ex=TTL_SECONDS)
        for tweet_id in await self._redis.smembers(layout.author_key(author_id)):
            await self.remove_tweet(int(tweet_id), author_id, leaving=True)
        await self._redis.delete(layout.author_key(author_id))

    async def active_tags(self, since_minute: int) -> list[str]:
        return [tag.decode() for tag in await self._redis.zrangebyscore(layout.TAGS_KEY, since_minute, "+inf")]

    async def counts(self, tags: Sequence[str], since_minute: int) -> list[TagCounts]:
        replies = await self._count(tags, self._prefixes[1], since_minute, "+inf")
        return [TagCounts(a, t) for a, t in zip(replies[0::2], replies[1::2])]

    async def authors_last_seen(self, tags: Sequence[str], first_minute: int, last_minute: int) -> list[int]:
        return await self._count(tags, "", first_minute, last_minute)

    async def _count(self, tags: Sequence[str], second_prefix: str, low: int, high: int | str) -> list[int]:
        replies = []
        for start in range(0, len(tags), COUNT_BATCH):
            args = [self._prefixes[0], second_prefix, low, high, *tags[start : start + COUNT_BATCH]]
            replies += await self._counts(keys=[layout.TAGS_KEY], args=args)  # its slot: a Cluster routes by the keys
        return replies

    async def expire(self, before_minute: int) -> None:
        old = await self._redis.zrangebyscore(layout.TAGS_KEY, "-inf", f"({before_minute}")
        for start in range(0, len(old), EXPIRE_BATCH):
            await self._expire_tags(keys=[layout.TAGS_KEY], args=[*self._prefixes, before_minute, *old[start : start + EXPIRE_BATCH]])

    async def save_baseline(self, window: int, minute: int, authors: dict[str, int], keep_from_minute: int) -> None:
        key = layout.baseline_key(window)
        old = [m for m in await self.baseline_minutes(window) if m < keep_from_minute]
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hset(key, str(minute), json.dumps(authors, separators=(",", ":")))
            if old:
                pipe.hdel(key, *map(str, old))
            pipe.expire(key, TTL_SECONDS)
            await pipe.execute()

    async def baseline_minutes(self, window: int) -> list[int]:
        return sorted(int(m) for m in await self._redis.hkeys(layout.baseline_key(window)))

    async def baseline(self, window: int, minute: int) -> dict[str, int]:
        value = await self._redis.hget(layout.baseline_key(window), str(minute))
        return json.loads(value) if value else {}

    async def publish(self, ranking: Ranking) -> None:
        await self._redis.set(layout.ranking_key(ranking.window_minutes), layout.pack_ranking(ranking), ex=RANKING_TTL_SECONDS)

    async def ranking(self, window: int) -> Ranking | None:
        value = await self._redis.get(layout.ranking_key(window))
        return layout.unpack_ranking(value) if value else None

    async def want_window(self, window: int, now_ms: int) -> None:
        await self._redis.zadd(layout.WINDOWS_KEY, {str(window): now_ms})

    async def wanted_windows(self, since_ms: int) -> list[int]:
        await self._redis.zremrangebyscore(layout.WINDOWS_KEY, "-inf", f"({since_ms}")
        return [int(w) for w in await self._redis.zrevrangebyscore(layout.WINDOWS_KEY, "+inf", since_ms)]

    async def acquire(self, owner: str, lease_ms: int) -> bool:
        return bool(await self._acquire(keys=[layout.LEASE_KEY], args=[owner, lease_ms]))

    async def release(self, owner: str) -> None:
        await self._release(keys=[layout.LEASE_KEY], args=[owner])

    async def close(self) -> None:
        await self._redis.aclose()
