"""The read model's copies in Redis (ReaderCopies and CardCopies): layouts are `redis_layout.py`'s.

Card write-backs use SET NX, so a tombstone written by a delete that
committed meanwhile stays. Cards come back in one MGET (a command per key
on a Cluster, whose keys lie in many slots): redis-py's cost is per command.
"""

from collections.abc import Sequence

from redis.asyncio import Redis, RedisCluster

from services.common.kernel.ids import wall_clock_ms
from services.timeline.adapters import redis_layout as layout
from services.timeline.domain import Card
from services.timeline.read_model import (
    CARD_TTL_SECONDS,
    LEAVING_SECONDS,
    READER_TTL_SECONDS,
    TOMBSTONE_TTL_SECONDS,
    VIEWER_TTL_SECONDS,
    spread,
    states_born,
    viewer_state,
)


class RedisCopies:
    def __init__(self, redis: Redis | RedisCluster):
        self._redis = redis

    async def celebrities(self, user_id: int) -> list[int] | None:
        value = await self._redis.get(layout.reader_key(user_id))
        return None if value is None else layout.unpack_id_list(value)

    async def keep_celebrities(self, user_id: int, celebrities: list[int]) -> None:
        await self._redis.set(layout.reader_key(user_id), layout.pack_id_list(celebrities), ex=spread(READER_TTL_SECONDS))

    async def cards(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[Card | bool | None]:
        keys = [layout.card_key(i) for i in tweet_ids]
        async with self._redis.pipeline(transaction=False) as pipe:
            if isinstance(self._redis, RedisCluster):
                for key in keys:
                    pipe.get(key)
            else:
                pipe.mget(keys)
            pipe.zrangebyscore(layout.LEAVING_KEY, wall_clock_ms() - LEAVING_SECONDS * 1000, "+inf")
            if viewer_id is not None:
                pipe.hmget(layout.viewer_key(viewer_id), [layout.BORN_FIELD, *layout.pack_ids(tweet_ids)])
            replies = await pipe.execute()
        if not isinstance(self._redis, RedisCluster):
            replies = [*replies[0], *replies[1:]]
        values, leaving = replies[: len(tweet_ids)], set(replies[len(tweet_ids)])
        states = _states(replies[len(tweet_ids) + 1], tweet_ids) if viewer_id is not None else [0] * len(tweet_ids)
        cards = [_card(i, value, state, leaving) for i, value, state in zip(tweet_ids, values, states)]
        gone = await self._tombstoned({c.original_id for c in cards if isinstance(c, Card) and c.retweet})
        return [False if isinstance(c, Card) and c.original_id in gone else c for c in cards]  # retweets of deleted tweets

    async def _tombstoned(self, tweet_ids: set[int]) -> set[int]:
        if not tweet_ids:
            return set()
        async with self._redis.pipeline(transaction=False) as pipe:
            for tweet_id in tweet_ids:
                pipe.get(layout.card_key(tweet_id))
            return {i for i, value in zip(tweet_ids, await pipe.execute()) if value == layout.TOMBSTONE}

    async def keep_cards(self, viewer_id: int | None, tweet_ids: Sequence[int], fresh: dict[int, Card]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for tweet_id in tweet_ids:
                card = fresh.get(tweet_id)
                if card is None:  # deleted, or its author is: never overwrites a card, expires on its own
                    pipe.set(layout.card_key(tweet_id), layout.TOMBSTONE, ex=TOMBSTONE_TTL_SECONDS, nx=True)
                    continue
                value = layout.pack_card(card.original_id, card.authors, card.shown)
                pipe.set(layout.card_key(tweet_id), value, ex=spread(CARD_TTL_SECONDS), nx=True)
                if viewer_id is not None:
                    pipe.hset(layout.viewer_key(viewer_id), layout.pack_id(tweet_id), bytes([card.viewer]))
            if viewer_id is not None:
                pipe.hsetnx(layout.viewer_key(viewer_id), layout.BORN_FIELD, layout.pack_id(states_born()))
                pipe.expire(layout.viewer_key(viewer_id), spread(VIEWER_TTL_SECONDS), nx=True)  # from its first state
            await pipe.execute()


def _states(reply: list[bytes | None], tweet_ids: Sequence[int]) -> list[int | None]:
    """The viewer's state on each tweet, from an HMGET of the born field and the tweets' ids."""
    born = layout.unpack_id(reply[0]) if reply[0] is not None else None
    return [viewer_state(kept[0] if kept is not None else None, born, i) for kept, i in zip(reply[1:], tweet_ids)]


def _card(tweet_id: int, value: bytes | None, state: int | None, leaving: set[bytes]) -> Card | bool | None:
    """The card as the viewer sees it; False when hidden (a tombstone, or by an account leaving); None when not kept."""
    if value == layout.TOMBSTONE:
        return False
    if value is None or state is None:
        return None
    original_id, authors, shown = layout.unpack_card(value)
    if leaving and not leaving.isdisjoint(layout.pack_ids(authors)):
        return False
    return Card(tweet_id, original_id, authors, shown, state)
