"""Each author's recent ids in Redis, with the author's head beside the list (`redis_layout.py`'s `chirp:head`).

A TimelineCache over the `chirp:recent` lists (a RedisTimelineCache) that
raises each author's head to the newest id it is about to add, before adding
it: so while a head exists it is never below the newest id in its list,
whichever writer (the Tweet service's notice of a post, fan-out's again, a
reader building the list from storage) got there first. A head that is too
high costs the page script a list opened early; one too low would hide
tweets, which is why every write to the lists goes through here. A head
lapses HEAD_TTL after it was made, as a list does: a post whose notice was
lost (its head not raised) shows once the head lapses, as it shows once the
list is built again.
"""

from collections.abc import Sequence

from redis.asyncio import Redis

from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_layout import LUA_LISTS, head_key, pack_id

# KEYS: heads; ARGV: a packed id, the TTL in seconds. Raises each head to the id, never lowers it;
# a head made now lapses after the TTL, one already there keeps its own.
_RAISE = LUA_LISTS + """
for _, head in ipairs(KEYS) do
  local now = redis.call('GET', head)
  if not now or older(now, ARGV[1]) then redis.call('SET', head, ARGV[1], 'KEEPTTL') end
  redis.call('EXPIRE', head, ARGV[2], 'NX')
end
"""


class RedisAuthorPosts:
    def __init__(self, redis: Redis, lists: RedisTimelineCache, head_ttl_seconds: int):
        self._lists, self._ttl = lists, head_ttl_seconds
        self._raise = redis.register_script(_RAISE)

    async def read(self, user_id: int, before: int | None = None, limit: int | None = None) -> list[int] | None:
        return await self._lists.read(user_id, before, limit)

    async def read_many(self, user_ids: Sequence[int]) -> list[list[int] | None]:
        return await self._lists.read_many(user_ids)

    async def start(self, user_id: int) -> None:
        await self._lists.start(user_id)

    async def complete(self, user_id: int) -> None:
        await self._lists.complete(user_id)

    async def add(self, user_ids: Sequence[int], tweet_ids: Sequence[int]) -> int:
        """Raises the heads first: if that fails, nothing is added."""
        if not user_ids or not tweet_ids:
            return 0
        await self._raise(keys=[head_key(u) for u in user_ids], args=[pack_id(max(tweet_ids)), self._ttl])
        return await self._lists.add(user_ids, tweet_ids)

    async def remove(self, user_ids: Sequence[int], tweet_ids: Sequence[int]) -> int:
        return await self._lists.remove(user_ids, tweet_ids)  # a head above the newest id left is harmless

    async def drop(self, user_id: int) -> None:
        await self._lists.drop(user_id)

    async def close(self) -> None:
        await self._lists.close()
