"""Tweets, likes and their counts in SQLite."""

import sqlite3
from collections.abc import Sequence

import aiosqlite

from services.common.kernel.errors import AlreadyExists
from services.common.kernel.events import Event, TweetDeleted
from services.common.kernel.ids import possible_ids
from services.common.kernel.pagination import Page, PageRequest, page_of
from services.common.messaging.outbox.sqlite_store import SqliteOutbox
from services.common.storage.sqlite import Database, placeholders
from services.tweet.adapters.rows import TWEET_COLUMNS, new_row, tweet_from_row
from services.tweet.domain import Tweet

_MAX_ID = 2**63 - 1


class SqliteTweetRepository:
    def __init__(self, db: Database, outbox: SqliteOutbox):
        self._db = db
        self._outbox = outbox

    async def add(self, tweet: Tweet, events: list[Event]) -> None:
        async def add(tx: aiosqlite.Connection) -> None:
            await tx.execute(
                f"INSERT INTO tweets ({TWEET_COLUMNS}) VALUES (?, ?, ?, ?, ?, 0, 0, 0)",
                new_row(tweet),
            )
            await _count_on_parent(tx, tweet, +1)
            await self._outbox.append(tx, events)

        try:
            await self._outbox.write(add)
        except sqlite3.IntegrityError as error:
            if "tweets.author_id, tweets.retweet_of_tweet_id" not in str(error):
                raise
            raise AlreadyExists(f"you already retweeted tweet {tweet.retweet_of_tweet_id}") from None

    async def get_many(self, tweet_ids: Sequence[int]) -> dict[int, Tweet]:
        unique = list(dict.fromkeys(possible_ids(tweet_ids)))
        if not unique:
            return {}
        rows = await self._db.fetch_all(
            f"SELECT {TWEET_COLUMNS} FROM tweets WHERE deleted = 0 AND tweet_id IN ({placeholders(len(unique))})", unique
        )
        return {row["tweet_id"]: tweet_from_row(row) for row in rows}

    async def largest_id(self) -> int:
        row = await self._db.fetch_one("SELECT MAX(tweet_id) AS m FROM tweets")
        return row["m"] or 0

    async def delete(self, tweet: Tweet, events: list[Event]) -> bool:
        async def delete(tx: aiosqlite.Connection) -> bool:
            deleted = await _mark_deleted(tx, tweet)
            if deleted:
                await self._outbox.append(tx, events)
            return deleted

        return await self._outbox.write(delete)

    async def delete_all_by(self, author_id: int) -> list[Tweet]:
        async def delete_all(tx: aiosqlite.Connection) -> list[Tweet]:
            rows = await tx.execute_fetchall(f"SELECT {TWEET_COLUMNS} FROM tweets WHERE author_id = ? AND deleted = 0", (author_id,))
            tweets = [tweet_from_row(row) for row in rows]
            for tweet in tweets:
                await _mark_deleted(tx, tweet)
            await tx.execute(
                "UPDATE tweets SET like_count = like_count - 1 WHERE tweet_id IN (SELECT tweet_id FROM likes WHERE user_id = ?)",
                (author_id,),
            )
            await tx.execute("DELETE FROM likes WHERE user_id = ?", (author_id,))
            await self._outbox.append(tx, [TweetDeleted(t.tweet_id, author_id) for t in tweets])
            return tweets

        return await self._outbox.write(delete_all)

    async def by_author(self, author_id: int, page: PageRequest, stale_ok: bool = False) -> Page[int]:  # one file: never stale
        return await self._id_page("author_id", author_id, page)

    async def replies_to(self, tweet_id: int, page: PageRequest) -> Page[int]:
        return await self._id_page("in_reply_to_tweet_id", tweet_id, page)

    async def recent_ids(
        self, author_ids: Sequence[int], before: int | None, limit: int, include_deleted: bool = False
    ) -> list[int]:
        visible = "" if include_deleted else "AND deleted = 0"
        rows = await self._db.fetch_all(
            f"SELECT tweet_id FROM tweets WHERE author_id IN ({placeholders(len(author_ids))}) AND tweet_id < ? {visible} "
            "ORDER BY tweet_id DESC LIMIT ?",
            (*author_ids, before or _MAX_ID, limit),
        )
        return [row[0] for row in rows]

    async def scan(self, after: int, limit: int) -> list[Tweet]:
        rows = await self._db.fetch_all(
            f"SELECT {TWEET_COLUMNS} FROM tweets WHERE tweet_id > ? AND deleted = 0 AND retweet_of_tweet_id = 0 "
            "ORDER BY tweet_id LIMIT ?",
            (after, limit),
        )
        return [tweet_from_row(row) for row in rows]

    async def like(self, tweet_id: int, user_id: int, events: list[Event]) -> bool:
        sql = "INSERT OR IGNORE INTO likes (tweet_id, user_id) SELECT ?, ? FROM tweets WHERE tweet_id = ? AND deleted = 0"
        return await self._change_like(sql, (tweet_id, user_id, tweet_id), tweet_id, +1, events)

    async def unlike(self, tweet_id: int, user_id: int, events: list[Event]) -> bool:
        sql = "DELETE FROM likes WHERE tweet_id = ? AND user_id = ?"
        return await self._change_like(sql, (tweet_id, user_id), tweet_id, -1, events)

    async def liked_by(self, user_id: int) -> list[int]:
        return [row[0] for row in await self._db.fetch_all("SELECT tweet_id FROM likes WHERE user_id = ?", (user_id,))]

    async def liked_among(self, user_id: int, tweet_ids: Sequence[int]) -> set[int]:
        rows = await self._db.fetch_all(
            f"SELECT tweet_id FROM likes WHERE user_id = ? AND tweet_id IN ({placeholders(len(tweet_ids))})",
            (user_id, *tweet_ids),
        )
        return {row[0] for row in rows}

    async def retweet_of(self, user_id: int, original_id: int) -> Tweet | None:
        row = await self._db.fetch_one(
            f"SELECT {TWEET_COLUMNS} FROM tweets WHERE author_id = ? AND retweet_of_tweet_id = ? AND deleted = 0",
            (user_id, original_id),
        )
        return tweet_from_row(row) if row else None

    async def retweeted_among(self, user_id: int, tweet_ids: Sequence[int]) -> set[int]:
        rows = await self._db.fetch_all(
            f"SELECT retweet_of_tweet_id FROM tweets WHERE author_id = ? AND deleted = 0 "
            f"AND retweet_of_tweet_id IN ({placeholders(len(tweet_ids))})",
            (user_id, *tweet_ids),
        )
        return {row[0] for row in rows}

    async def _change_like(self, sql: str, params: tuple, tweet_id: int, delta: int, events: list[Event]) -> bool:
        async def change(tx: aiosqlite.Connection) -> bool:
            if (await tx.execute(sql, params)).rowcount != 1:
                return False
            await tx.execute("UPDATE tweets SET like_count = like_count + ? WHERE tweet_id = ?", (delta, tweet_id))
            await self._outbox.append(tx, events)
            return True

        return await self._outbox.write(change)

    async def _id_page(self, column: str, value: int, page: PageRequest) -> Page[int]:
        rows = await self._db.fetch_all(
            f"SELECT tweet_id FROM tweets WHERE {column} = ? AND deleted = 0 AND tweet_id < ? ORDER BY tweet_id DESC LIMIT ?",
            (value, page.cursor or _MAX_ID, page.size + 1),
        )
        return page_of(rows, page.size, lambda row: row[0], lambda row: row[0])


async def _mark_deleted(tx: aiosqlite.Connection, tweet: Tweet) -> bool:
    """Keeps the row as a tombstone, without its text, so caches can still be cleaned of it."""
    cursor = await tx.execute("UPDATE tweets SET deleted = 1, text = '' WHERE tweet_id = ? AND deleted = 0", (tweet.tweet_id,))
    if cursor.rowcount != 1:
        return False
    await _count_on_parent(tx, tweet, -1)
    return True


async def _count_on_parent(tx: aiosqlite.Connection, tweet: Tweet, delta: int) -> None:
    if tweet.in_reply_to_tweet_id:
        await tx.execute("UPDATE tweets SET reply_count = reply_count + ? WHERE tweet_id = ?", (delta, tweet.in_reply_to_tweet_id))
    if tweet.retweet_of_tweet_id:
        await tx.execute("UPDATE tweets SET retweet_count = retweet_count + ? WHERE tweet_id = ?", (delta, tweet.retweet_of_tweet_id))
