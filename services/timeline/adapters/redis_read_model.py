"""A warm home read served from Redis: the reader's celebrities, the authors' recent posts and hydrated cards.

Each class wraps the port it speeds up (FollowGraph, TweetSource) and falls
back to it, the owning service, on a miss, then keeps what it learned:

- the reader's account and followed celebrities, for READER_TTL_SECONDS;
- each author's recent ids (`posts:`), built from storage, then kept
  current by the Tweet service as it commits a post, and built again after
  POSTS_TTL_SECONDS;
- cards with no viewer state, for CARD_TTL_SECONDS, and the viewer's
  liked/retweeted state on them, for VIEWER_TTL_SECONDS. Deleted tweets
  leave tombstones for TOMBSTONE_TTL_SECONDS.

The Tweet service and fan-out invalidate these keys as writes commit
(`redis_notices.py`); the TTLs bound what a lost invalidation can leave
behind, so counts, profiles and celebrity standing in a read may lag by at
most those many seconds, times TTL_SPREAD (7.5 min): copies made together (a
warm-up, a burst of readers) lapse at different times, not in one storm
of misses. Layouts are `redis_layout.py`'s.
"""

import random
from collections.abc import Sequence

from redis.asyncio import Redis, RedisCluster

from services.common.kernel.ids import wall_clock_ms
from services.common.runtime.concurrency import concurrently
from services.timeline.adapters import redis_layout as layout
from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.domain import Card
from services.timeline.ports import FollowGraph, TweetSource

# Every change is told as it commits, and again by fan-out from its event: the lifetimes only bound a
# read in flight that writes back what it read just before a change (and a notice lost both ways).
READER_TTL_SECONDS = 300
CARD_TTL_SECONDS = 300
VIEWER_TTL_SECONDS = 300
TTL_SPREAD = 1.5  # each copy lives its TTL times a random 1 to 1.5, so copies made together don't all lapse together
TOMBSTONE_TTL_SECONDS = 600
LEAVING_SECONDS = 600  # a deleted account's cards are hidden this long; its tweets are tombstoned well before
POSTS_KEPT = 100  # recent ids kept per author: two pages of 50 for any reader, more come from storage
POSTS_TTL_SECONDS = 3600  # an author's list is built again hourly: a post whose notice was lost shows by then


class CachedReaders:
    """FollowGraph, with each reader's followed celebrities kept in Redis."""

    def __init__(self, graph: FollowGraph, redis: Redis | RedisCluster):
        self._graph, self._redis = graph, redis

    async def celebrities_followed_by(self, user_id: int) -> list[int]:
        key = layout.reader_key(user_id)
        value = await self._redis.get(key)
        if value is not None:
            return layout.unpack_id_list(value)
        celebrities = await self._graph.celebrities_followed_by(user_id)  # raises for a user with no account
        await self._redis.set(key, layout.pack_id_list(celebrities), ex=_spread(READER_TTL_SECONDS))
        return celebrities

    async def following_ids(self, user_id: int) -> list[int]:
        return await self._graph.following_ids(user_id)


class CachedTweets:
    """TweetSource, with authors' recent ids and hydrated cards kept in Redis."""

    def __init__(self, source: TweetSource, redis: Redis | RedisCluster, posts: RedisTimelineCache):
        self._source, self._redis, self._posts = source, redis, posts

    async def recent_ids(self, author_ids: Sequence[int], before: int | None, limit: int) -> list[int]:
        if not author_ids or limit > POSTS_KEPT:
            return await self._source.recent_ids(author_ids, before, limit)
        lists = await self._posts.read_many(author_ids)
        missing = [a for a, ids in zip(author_ids, lists) if ids is None]
        built = dict(zip(missing, await concurrently(*(self._build_posts(a) for a in missing))))
        found: list[int] = []
        short: list[int] = []  # authors whose kept ids end above what the page needs: ask storage
        for author, ids in zip(author_ids, lists):
            ids = built[author] if ids is None else ids
            below = [i for i in ids if before is None or i < before]
            if len(below) < limit and len(ids) >= POSTS_KEPT:
                short.append(author)
            else:
                found += below[:limit]
        if short:
            found += await self._source.recent_ids(short, before, limit)
        return sorted(set(found), reverse=True)[:limit]

    async def ids_ever_posted_by(self, author_id: int, limit: int) -> list[int]:
        return await self._source.ids_ever_posted_by(author_id, limit)

    async def hydrate(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[Card]:
        ids = list(dict.fromkeys(tweet_ids))
        if not ids:
            return []
        keys = [layout.card_key(i) for i in ids]
        async with self._redis.pipeline(transaction=False) as pipe:
            if isinstance(self._redis, RedisCluster):  # cards lie in many slots: a command each
                for key in keys:
                    pipe.get(key)
            else:  # one command: redis-py's cost is per command, far more than per key
                pipe.mget(keys)
            pipe.zrangebyscore(layout.LEAVING_KEY, wall_clock_ms() - LEAVING_SECONDS * 1000, "+inf")
            if viewer_id is not None:
                pipe.hmget(layout.viewer_key(viewer_id), layout.pack_ids(ids))
            replies = await pipe.execute()
        if not isinstance(self._redis, RedisCluster):
            replies = [*replies[0], *replies[1:]]
        values, leaving = replies[: len(ids)], set(replies[len(ids)])
        states = replies[len(ids) + 1] if viewer_id is not None else [b"\0"] * len(ids)
        kept: dict[int, Card] = {}
        misses: list[int] = []
        for tweet_id, value, state in zip(ids, values, states):
            if value == layout.TOMBSTONE:
                continue
            if value is None or state is None:
                misses.append(tweet_id)
            else:
                card = _card(tweet_id, value, state[0])
                if not leaving or leaving.isdisjoint(layout.pack_ids(card.authors)):
                    kept[tweet_id] = card
        if misses:
            kept.update(await self._hydrate_and_keep(viewer_id, misses))
        return [kept[i] for i in ids if i in kept]

    async def _build_posts(self, author_id: int) -> list[int]:
        """An author's recent ids from storage; posts committed meanwhile land in the list being built."""
        try:
            await self._posts.start(author_id)
            await self._posts.add([author_id], await self._source.recent_ids([author_id], None, POSTS_KEPT))
            await self._posts.complete(author_id)
        except BaseException:
            await self._posts.drop(author_id)
            raise
        return await self._posts.read(author_id) or []

    async def _hydrate_and_keep(self, viewer_id: int | None, tweet_ids: list[int]) -> dict[int, Card]:
        fresh = {card.tweet_id: card for card in await self._source.hydrate(viewer_id, tweet_ids)}
        async with self._redis.pipeline(transaction=False) as pipe:
            for tweet_id in tweet_ids:
                card = fresh.get(tweet_id)
                if card is None:  # deleted, or its author is: never overwrites a card, expires on its own
                    pipe.set(layout.card_key(tweet_id), layout.TOMBSTONE, ex=TOMBSTONE_TTL_SECONDS, nx=True)
                    continue
                # NX: a tombstone written by a delete that committed meanwhile stays
                value = layout.pack_card(card.original_id, card.authors, card.shown)
                pipe.set(layout.card_key(tweet_id), value, ex=_spread(CARD_TTL_SECONDS), nx=True)
                if viewer_id is not None:
                    pipe.hset(layout.viewer_key(viewer_id), layout.pack_id(tweet_id), bytes([card.viewer]))
            if viewer_id is not None:
                pipe.expire(layout.viewer_key(viewer_id), _spread(VIEWER_TTL_SECONDS))
            await pipe.execute()
        return fresh


def _card(tweet_id: int, value: bytes, viewer: int) -> Card:
    original_id, authors, shown = layout.unpack_card(value)
    return Card(tweet_id, original_id, authors, shown, viewer)


def _spread(seconds: int) -> int:
    return round(seconds * random.uniform(1, TTL_SPREAD))
