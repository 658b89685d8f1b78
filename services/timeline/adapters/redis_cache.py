"""Home timelines in Redis (or Redis Cluster): one sorted set of packed ids per user.

The key and member layout is `redis_layout.py`'s. Kept as a listpack
(zset-max-listpack-entries must exceed the timeline length), an entry costs
about 13 bytes. A key without its sentinels (an add that raced a drop)
reads as a miss and is rebuilt, so that race is safe.

Fan-out adds to many timelines at once. On one Redis server a Lua script
does it for up to 50 timelines a call (present? add, trim, keep the TTL),
the calls in one pipeline (redis-py first checks, in a round trip of its
own, that the script is loaded): a third of the client's work of sending
the commands, and each timeline is updated atomically. Adding one id to
50 full timelines holds Redis for about a millisecond, so reads slip in
between calls. A Cluster's pipelines refuse scripts, and a script's keys
must share a slot, so there adds take two pipelined round trips of plain
commands, EXISTS, then ZADD and trim. Both need Redis 7 (EXPIRE ... NX).
"""

import logging
from collections.abc import Callable, Sequence

from redis.asyncio import Redis, RedisCluster

from services.timeline.adapters.redis_layout import BUILDING, EXISTS, pack_id, pack_ids, timeline_key, unpack_ids

log = logging.getLogger("chirp.timeline.redis")

SCRIPT_KEYS = 50  # timelines per script call: about a millisecond of Redis time for one id

# KEYS: timelines; ARGV: capacity, TTL seconds, packed ids. Returns the ids added, over all timelines.
_ADD = """
local capacity, ttl, added, pairs = tonumber(ARGV[1]), tonumber(ARGV[2]), 0, {}
for i = 3, #ARGV do
  pairs[#pairs + 1] = 0
  pairs[#pairs + 1] = ARGV[i]
end
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    added = added + redis.call('ZADD', key, unpack(pairs))
    -- ranks 0 and 1 are spared: the sentinels, or a sentinel and one id past capacity
    redis.call('ZREMRANGEBYRANK', key, 2, -(capacity + 1))
    redis.call('EXPIRE', key, ttl, 'NX')
  end
end
return added
"""


# KEYS: a timeline; ARGV: the lex bound above the window, how many, the two sentinels. One command
# (a client's cost is per command): nil when the timeline is missing or building, else the ids, newest first.
_WINDOW = """
local head = redis.call('ZRANGE', KEYS[1], 0, 1)
if #head == 0 or head[1] ~= ARGV[3] or head[2] == ARGV[4] then
  return false
end
return redis.call('ZRANGE', KEYS[1], ARGV[1], '(' .. ARGV[4], 'BYLEX', 'REV', 'LIMIT', 0, tonumber(ARGV[2]))
"""


class RedisTimelineCache:
    def __init__(self, redis: Redis | RedisCluster, capacity: int, ttl_seconds: int,
                 key: Callable[[int], str] = timeline_key):
        """`key` names a user's list: home timelines by default, or the users' own recent posts."""
        self._redis = redis
        self._key = key
        self._capacity = capacity
        self._ttl = ttl_seconds
        self._add_script = redis.register_script(_ADD)
        self._window_script = redis.register_script(_WINDOW)

    async def read(self, user_id: int, before: int | None = None, limit: int | None = None) -> list[int] | None:
        if before is None and limit is None:
            return self._ids(await self._redis.zrange(self._key(user_id), 0, -1, desc=True))
        top = b"(" + pack_id(before) if before is not None else b"+"
        count = min(limit or self._capacity, self._capacity)
        members = await self._window_script(keys=[self._key(user_id)], args=[top, count, EXISTS, BUILDING])
        return None if members is None else unpack_ids(members)

    def _ids(self, members: list[bytes]) -> list[int] | None:
        if not members or members[-1] != EXISTS or BUILDING in members[-2:]:
            return None
        return unpack_ids(members[:-1][: self._capacity])

    async def read_many(self, user_ids: Sequence[int]) -> list[list[int] | None]:
        """`read` for several users in one round trip."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.zrange(self._key(user_id), 0, -1, desc=True)
            return [self._ids(members) for members in await pipe.execute()]

    async def start(self, user_id: int) -> None:
        key = self._key(user_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zadd(key, {EXISTS: 0, BUILDING: 0})
            pipe.expire(key, self._ttl)
            await pipe.execute()

    async def complete(self, user_id: int) -> None:
        await self._redis.zrem(self._key(user_id), BUILDING)

    async def add(self, user_ids: Sequence[int], tweet_ids: Sequence[int]) -> int:
        if not user_ids or not tweet_ids:
            return 0
        keys = [self._key(u) for u in user_ids]
        if isinstance(self._redis, RedisCluster):
            return await self._add_by_commands(keys, tweet_ids)
        packed = pack_ids(tweet_ids)
        async with self._redis.pipeline(transaction=False) as pipe:
            args = [self._capacity, self._ttl, *packed]
            for start in range(0, len(keys), SCRIPT_KEYS):
                await self._add_script(keys=keys[start : start + SCRIPT_KEYS], args=args, client=pipe)
            return sum(await pipe.execute())

    async def _add_by_commands(self, keys: list[str], tweet_ids: Sequence[int]) -> int:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.exists(key)
            present = [key for key, exists in zip(keys, await pipe.execute()) if exists]
        members = dict.fromkeys(pack_ids(tweet_ids), 0)
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in present:
                pipe.zadd(key, members)
                # Ranks 0 and 1 are spared: the sentinels, or a sentinel and one id past capacity.
                pipe.zremrangebyrank(key, 2, -(self._capacity + 1))
                pipe.expire(key, self._ttl, nx=True)
            return sum((await pipe.execute())[0::3])

    async def remove(self, user_ids: Sequence[int], tweet_ids: Sequence[int]) -> int:
        if not user_ids or not tweet_ids:
            return 0
        packed = pack_ids(tweet_ids)
        async with self._redis.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.zrem(self._key(user_id), *packed)
            return sum(await pipe.execute())

    async def drop(self, user_id: int) -> None:
        await self._redis.delete(self._key(user_id))

    async def close(self) -> None:
        await self._redis.aclose()

    async def check_listpack_limit(self) -> None:
        """Warns when Redis would store a full timeline as a skiplist (about 8x the memory)."""
        try:
            limits = await self._redis.config_get("zset-max-listpack-entries")
        except Exception as error:  # managed Redis may refuse CONFIG
            log.warning("could not read zset-max-listpack-entries (%s); timelines may use more memory", error)
            return
        values = limits.values() if isinstance(limits, dict) else [limits]
        if any(int(v) < self._capacity + 2 for v in values if str(v).isdigit()):
            log.warning(
                "zset-max-listpack-entries is below %s: full timelines will be skiplists (~100 bytes an entry)",
                self._capacity + 2,
            )
