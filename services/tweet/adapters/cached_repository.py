"""Tweets read through the Redis row cache, with counts that stay exact.

`get_many`, which every hydration goes through, reads the cache and fills
it from PostgreSQL. Every write marks the tweets whose text or counts it
changes, runs on the store, then stores them as committed (the rules are
in services/common/storage/row_cache.py). Every other read goes to the store.
"""

import json
from collections.abc import Sequence

from services.common.kernel.events import Event
from services.common.kernel.ids import possible_ids
from services.common.storage.row_cache import RowCache
from services.tweet.adapters.postgres_repository import PostgresTweetRepository
from services.tweet.domain import Tweet


def encode(tweet: Tweet) -> bytes:
    fields = [tweet.author_id, tweet.text, tweet.in_reply_to_tweet_id, tweet.retweet_of_tweet_id,
              tweet.like_count, tweet.retweet_count, tweet.reply_count]  # fmt: skip
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()


def decode(tweet_id: int, payload: bytes) -> Tweet:
    return Tweet(tweet_id, *json.loads(payload))


class CachedTweetRepository:
    def __init__(self, store: PostgresTweetRepository, cache: RowCache[Tweet]):
        self._store = store
        self._cache = cache

    def __getattr__(self, name: str):
        """Reads the cache has no part in go straight to the store."""
        return getattr(self._store, name)

    async def get_many(self, tweet_ids: Sequence[int]) -> dict[int, Tweet]:
        found, missing = await self._cache.read(list(dict.fromkeys(possible_ids(tweet_ids))))
        if missing:
            rows = await self._store.revisions(missing)
            await self._cache.fill(rows)
            found.update({tweet_id: row.value for tweet_id, row in rows.items() if row.value is not None})
        return found

    async def add(self, tweet: Tweet, events: list[Event]) -> None:
        async with self._cache.write(tweet.parent_ids, self._store.revisions):
            await self._store.add(tweet, events)

    async def delete(self, tweet: Tweet, events: list[Event]) -> bool:
        async with self._cache.write([tweet.tweet_id, *tweet.parent_ids], self._store.revisions):
            return await self._store.delete(tweet, events)

    async def delete_all_by(self, author_id: int) -> list[Tweet]:
        async with self._cache.write([], self._store.revisions) as rows:
            return await self._store.delete_all_by(author_id, on_locked=rows.add)

    async def like(self, tweet_id: int, user_id: int, events: list[Event]) -> bool:
        async with self._cache.write([tweet_id], self._store.revisions):
            return await self._store.like(tweet_id, user_id, events)

    async def unlike(self, tweet_id: int, user_id: int, events: list[Event]) -> bool:
        async with self._cache.write([tweet_id], self._store.revisions):
            return await self._store.unlike(tweet_id, user_id, events)

