"""Who unfollowed whom lately, in Redis: what fan-out asks, after an add, instead of asking the graph about every follower.

`chirp:unfollows:{<followee id>}` (this module owns it): a sorted set of the followers who unfollowed the
user lately, each its id in decimal, scored by the time (ms) of its mark. Marks older than `kept_seconds` are
dropped as the next is made, and the key expires `kept_seconds` after its last mark. The lookups asked
for while one is out (events handled side by side) leave together, one pipeline.
"""

from collections.abc import Sequence

from redis.asyncio import Redis, RedisCluster

from services.common.kernel.ids import wall_clock_ms
from services.common.runtime.coalescing import Coalescer

LOOKUP_BATCH = 100  # lookups a pipeline, at most

_PREFIX = "chirp:unfollows:{"


def unfollows_key(followee_id: int) -> str:
    return f"{_PREFIX}{followee_id:016x}}}"


class RedisUnfollowMarks:
    def __init__(self, redis: Redis | RedisCluster, kept_seconds: int):
        self._redis, self._kept_ms = redis, kept_seconds * 1000
        self._lookups: Coalescer[tuple[int, tuple[int, ...]], set[int]] = Coalescer(self._marked_all, LOOKUP_BATCH)

    async def mark(self, follower_id: int, followee_id: int) -> None:
        key, now = unfollows_key(followee_id), wall_clock_ms()
        async with self._redis.pipeline(transaction=False) as pipe:  # one key: one slot on a Cluster
            pipe.zadd(key, {str(follower_id): now})
            pipe.zremrangebyscore(key, "-inf", now - self._kept_ms)
            pipe.pexpire(key, self._kept_ms)
            await pipe.execute()

    async def marked(self, followee_id: int, follower_ids: Sequence[int]) -> set[int]:
        if not follower_ids:
            return set()
        return await self._lookups.get((followee_id, tuple(follower_ids)))

    async def _marked_all(self, lookups: Sequence[tuple[int, tuple[int, ...]]]) -> dict[tuple, set[int]]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for followee_id, follower_ids in lookups:
                pipe.zmscore(unfollows_key(followee_id), [str(follower_id) for follower_id in follower_ids])
            answers = await pipe.execute()
        return {(followee_id, follower_ids): {follower for follower, score in zip(follower_ids, scores) if score is not None}
                for (followee_id, follower_ids), scores in zip(lookups, answers)}  # fmt: skip
