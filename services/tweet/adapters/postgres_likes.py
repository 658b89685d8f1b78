"""Likes in PostgreSQL: a like locks its tweet until commit, so it lands only on a tweet that stays visible,
and moves the tweet's count in the same transaction as its event."""

from collections.abc import Sequence

import asyncpg

from services.common.kernel.events import Event
from services.common.kernel.ids import possible_ids
from services.common.messaging.outbox.postgres_store import PostgresOutbox
from services.common.storage.postgres import PostgresDatabase, rows_affected

_LOCK_TWEET = "SELECT 1 FROM tweets WHERE tweet_id = $1 FOR NO KEY UPDATE"
_LIKE = (
    "INSERT INTO likes (tweet_id, user_id) SELECT tweet_id, $2 FROM tweets WHERE tweet_id = $1 AND NOT deleted "
    "ON CONFLICT DO NOTHING"
)
_UNLIKE = "DELETE FROM likes WHERE tweet_id = $1 AND user_id = $2"


class PostgresLikes:
    def __init__(self, db: PostgresDatabase, outbox: PostgresOutbox):
        self._db, self._outbox = db, outbox

    async def like(self, tweet_id: int, user_id: int, events: list[Event]) -> bool:
        return await self._change(_LIKE, tweet_id, user_id, +1, events)

    async def unlike(self, tweet_id: int, user_id: int, events: list[Event]) -> bool:
        return await self._change(_UNLIKE, tweet_id, user_id, -1, events)

    async def liked_by(self, user_id: int) -> list[int]:
        return [row[0] for row in await self._db.fetch_all("SELECT tweet_id FROM likes WHERE user_id = $1", user_id)]

    async def liked_among(self, user_id: int, tweet_ids: Sequence[int]) -> set[int]:
        sql = "SELECT tweet_id FROM likes WHERE user_id = $1 AND tweet_id = ANY($2::bigint[])"
        rows = await self._db.fetch_all(sql, user_id, possible_ids(tweet_ids))
        return {row[0] for row in rows}

    async def _change(self, sql: str, tweet_id: int, user_id: int, delta: int, events: list[Event]) -> bool:
        async def change(tx: asyncpg.Connection) -> bool:
            await tx.execute(_LOCK_TWEET, tweet_id)  # until commit: no deletion under the like
            if rows_affected(await tx.execute(sql, tweet_id, user_id)) != 1:
                return False
            await tx.execute("UPDATE tweets SET like_count = like_count + $1 WHERE tweet_id = $2", delta, tweet_id)
            await self._outbox.append(tx, events)
            return True

        return await self._outbox.write(change)
