"""Writes that reach the Timeline service's read model as they commit (the keys of `redis_read_model.py`).

The Tweet service tells it of each post, delete, count change and viewer
action, and the Graph service of each follow and deleted account (as their
ReadCopies ports), so the writer's next read shows the write; fan-out tells
it again from the events, and of celebrity standing that changed. Every call is
idempotent, and the read model's TTLs bound what a lost call leaves behind.
A reader's kept first page (`redis_home.py`) is not shown again after a
change to their viewer state (their stamp goes), a tombstone or a deleted
account (the epoch rises).
"""

from collections.abc import Sequence

from redis.asyncio import Redis, RedisCluster

from services.common.kernel.ids import wall_clock_ms
from services.timeline.adapters.redis_layout import EPOCH_KEY, LEAVING_KEY, TOMBSTONE, card_key, pack_id, reader_key, stamp_key, viewer_key
from services.timeline.ports import TimelineCache
from services.timeline.read_model import LEAVING_SECONDS, TOMBSTONE_TTL_SECONDS

_DROP_CARD = "if redis.call('GET', KEYS[1]) ~= '' then return redis.call('DEL', KEYS[1]) end return 0"


class RedisReadNotices:
    def __init__(self, redis: Redis | RedisCluster, posts: TimelineCache):
        self._redis, self._posts = redis, posts
        self._drop_card = redis.register_script(_DROP_CARD)

    async def posted(self, author_id: int, tweet_id: int) -> None:
        """Into the author's recent ids, if they are kept (a list being built takes it too)."""
        await self._posts.add([author_id], [tweet_id])

    async def deleted(self, tweet_ids: Sequence[int]) -> None:
        """Tombstones: no read shows them again, whatever copy a read in flight writes back."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for tweet_id in tweet_ids:
                pipe.set(card_key(tweet_id), TOMBSTONE, ex=TOMBSTONE_TTL_SECONDS)
            pipe.incr(EPOCH_KEY)
            await pipe.execute()

    async def counts_changed(self, tweet_ids: Sequence[int]) -> None:
        """Drops the cards, but never a tombstone: a read in flight could then bring a deleted tweet back."""
        for tweet_id in tweet_ids:  # a script call each: a Cluster's pipelines refuse scripts
            await self._drop_card(keys=[card_key(tweet_id)])

    async def viewer_changed(self, viewer_id: int) -> None:
        await self._delete([viewer_key(viewer_id), stamp_key(viewer_id)])

    async def follows_changed(self, user_id: int) -> None:
        """The reader followed or unfollowed: their celebrities are read again."""
        await self.readers_changed([user_id])

    async def readers_changed(self, user_ids: Sequence[int]) -> None:
        """Their follows, or the standing of someone they follow, changed."""
        await self._delete([reader_key(u) for u in user_ids])

    async def account_deleted(self, user_id: int) -> None:
        """Hidden at once: the account's cards, wherever they are, until its tweets are tombstoned."""
        now_ms = wall_clock_ms()
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zadd(LEAVING_KEY, {pack_id(user_id): now_ms})
            pipe.zremrangebyscore(LEAVING_KEY, "-inf", now_ms - LEAVING_SECONDS * 1000)
            pipe.delete(reader_key(user_id))
            pipe.delete(viewer_key(user_id))
            pipe.incr(EPOCH_KEY)
            await pipe.execute()
        await self._posts.drop(user_id)

    async def _delete(self, keys: list[str]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:  # one slot per key: fine on a Cluster
            for key in keys:
                pipe.delete(key)
            await pipe.execute()
