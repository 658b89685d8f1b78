"""Tweets, likes and their counts in PostgreSQL, behaving as the SQLite store does.

Writes run side by side here, so counts change by increments on locked
rows, a like locks its tweet until commit (so it lands only on a tweet
that stays visible: `postgres_likes.py`), and a partial unique index allows
one live retweet per user and original. New posts with no parent go
together (`postgres_posts.py`). The rare deadlock is run again.
"""

from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from services.common.kernel.errors import AlreadyExists
from services.common.kernel.events import Event, TweetDeleted
from services.common.kernel.ids import possible_ids
from services.common.kernel.pagination import Page, PageRequest, page_of
from services.common.messaging.outbox.postgres_store import PostgresOutbox
from services.common.storage.postgres import PostgresDatabase, rows_affected
from services.common.storage.row_cache import Revision
from services.tweet.adapters.postgres_likes import PostgresLikes
from services.tweet.adapters.postgres_posts import PostgresNewPosts
from services.tweet.adapters.rows import TWEET_COLUMNS, new_row, tweet_from_row
from services.tweet.domain import Tweet

_MAX_ID = 2**63 - 1
_ONE_RETWEET = "one_retweet_per_user"
_INSERT_TWEET = f"INSERT INTO tweets ({TWEET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 0, 0, 0)"
_LOCK_LIVE_BY_AUTHOR = f"SELECT {TWEET_COLUMNS} FROM tweets WHERE author_id = $1 AND NOT deleted ORDER BY tweet_id FOR NO KEY UPDATE"
_UNCOUNT_LIKES_BY = (
    "UPDATE tweets SET like_count = like_count - 1 WHERE tweet_id IN (SELECT tweet_id FROM likes WHERE user_id = $1)"
)
_COUNT_ON_PARENTS = (
    "UPDATE tweets t SET {count} = t.{count} + $2 * c.children FROM "
    "(SELECT id, COUNT(*) AS children FROM unnest($1::bigint[]) AS id GROUP BY id) c WHERE t.tweet_id = c.id"
)


class PostgresTweetRepository:
    def __init__(self, db: PostgresDatabase, outbox: PostgresOutbox, replica: PostgresDatabase | None = None):
        """replica: where reads that may be stale go (CHIRP_DATABASE_READ_URL); None: the primary serves them too."""
        self._db = db
        self._outbox = outbox
        self._replica = replica or db
        self._new_posts = PostgresNewPosts(outbox)
        self._likes = PostgresLikes(db, outbox)

    async def add(self, tweet: Tweet, events: list[Event]) -> None:
        if not tweet.parent_ids:  # no parent's count to move: one statement, with the other posts in flight
            return await self._new_posts.add(tweet, events)

        async def add(tx: asyncpg.Connection) -> None:
            await tx.execute(_INSERT_TWEET, *new_row(tweet))
            await _count_on_parents(tx, [tweet], +1)
            await self._outbox.append(tx, events)

        try:
            await self._outbox.write(add)
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name != _ONE_RETWEET:
                raise
            raise AlreadyExists(f"you already retweeted tweet {tweet.retweet_of_tweet_id}") from None

    async def get_many(self, tweet_ids: Sequence[int]) -> dict[int, Tweet]:
        unique = list(dict.fromkeys(possible_ids(tweet_ids)))
        if not unique:
            return {}
        rows = await self._db.fetch_all(
            f"SELECT {TWEET_COLUMNS} FROM tweets WHERE NOT deleted AND tweet_id = ANY($1::bigint[])", unique
        )
        return {row["tweet_id"]: tweet_from_row(row) for row in rows}

    async def revisions(self, tweet_ids: Sequence[int]) -> dict[int, Revision[Tweet]]:
        """The tweets as stored now, deleted ones as tombstones, with their revisions (for caches). None asked
        (as after a post with no parent), no query."""
        if not (ids := possible_ids(tweet_ids)):
            return {}
        sql = f"SELECT {TWEET_COLUMNS}, deleted, revision FROM tweets WHERE tweet_id = ANY($1::bigint[])"
        rows = await self._db.fetch_all(sql, ids)
        return {row[0]: Revision(row["revision"], None if row["deleted"] else tweet_from_row(row)) for row in rows}

    async def largest_id(self) -> int:
        row = await self._db.fetch_one("SELECT MAX(tweet_id) AS m FROM tweets")
        return row["m"] or 0

    async def delete(self, tweet: Tweet, events: list[Event]) -> bool:
        async def delete(tx: asyncpg.Connection) -> bool:
            deleted = await _mark_deleted(tx, [tweet]) == 1
            if deleted:
                await _count_on_parents(tx, [tweet], -1)
                await self._outbox.append(tx, events)
            return deleted

        return await self._outbox.write(delete)

    async def delete_all_by(
        self, author_id: int, on_locked: Callable[[list[int]], Awaitable[None]] | None = None
    ) -> list[Tweet]:
        """on_locked, if given, hears the tweets whose text or counts the deletion changes, before it commits."""

        async def delete_all(tx: asyncpg.Connection) -> list[Tweet]:
            tweets = [tweet_from_row(row) for row in await tx.fetch(_LOCK_LIVE_BY_AUTHOR, author_id)]
            if on_locked:
                liked = [row[0] for row in await tx.fetch("SELECT tweet_id FROM likes WHERE user_id = $1", author_id)]
                await on_locked([*(t.tweet_id for t in tweets), *(p for t in tweets for p in t.parent_ids), *liked])
            await _mark_deleted(tx, tweets)
            await _count_on_parents(tx, tweets, -1)
            await tx.execute(_UNCOUNT_LIKES_BY, author_id)
            await tx.execute("DELETE FROM likes WHERE user_id = $1", author_id)
            await self._outbox.append(tx, [TweetDeleted(t.tweet_id, author_id) for t in tweets])
            return tweets

        return await self._outbox.write(delete_all)

    async def by_author(self, author_id: int, page: PageRequest, stale_ok: bool = False) -> Page[int]:
        """stale_ok: the replica may answer (another user's profile); the author's own read stays on the primary."""
        return await self._id_page("author_id", author_id, page, self._replica if stale_ok else self._db)

    async def replies_to(self, tweet_id: int, page: PageRequest) -> Page[int]:
        return await self._id_page("in_reply_to_tweet_id", tweet_id, page)

    async def recent_ids(
        self, author_ids: Sequence[int], before: int | None, limit: int, include_deleted: bool = False
    ) -> list[int]:
        visible = "" if include_deleted else "AND NOT deleted"
        rows = await self._db.fetch_all(
            f"SELECT tweet_id FROM tweets WHERE author_id = ANY($1::bigint[]) AND tweet_id < $2 {visible} "
            "ORDER BY tweet_id DESC LIMIT $3",
            possible_ids(author_ids), before or _MAX_ID, limit,
        )  # fmt: skip
        return [row[0] for row in rows]

    async def scan(self, after: int, limit: int) -> list[Tweet]:
        rows = await self._db.fetch_all(
            f"SELECT {TWEET_COLUMNS} FROM tweets WHERE tweet_id > $1 AND NOT deleted AND retweet_of_tweet_id = 0 "
            "ORDER BY tweet_id LIMIT $2",
            after, limit,
        )  # fmt: skip
        return [tweet_from_row(row) for row in rows]

    async def like(self, tweet_id: int, user_id: int, events: list[Event]) -> bool:
        return await self._likes.like(tweet_id, user_id, events)

    async def unlike(self, tweet_id: int, user_id: int, events: list[Event]) -> bool:
        return await self._likes.unlike(tweet_id, user_id, events)

    async def liked_by(self, user_id: int) -> list[int]:
        return await self._likes.liked_by(user_id)

    async def liked_among(self, user_id: int, tweet_ids: Sequence[int]) -> set[int]:
        return await self._likes.liked_among(user_id, tweet_ids)

    async def retweet_of(self, user_id: int, original_id: int) -> Tweet | None:
        row = await self._db.fetch_one(
            f"SELECT {TWEET_COLUMNS} FROM tweets WHERE author_id = $1 AND retweet_of_tweet_id = $2 AND NOT deleted",
            user_id, original_id,
        )  # fmt: skip
        return tweet_from_row(row) if row else None

    async def retweeted_among(self, user_id: int, tweet_ids: Sequence[int]) -> set[int]:
        rows = await self._db.fetch_all(
            "SELECT retweet_of_tweet_id FROM tweets WHERE author_id = $1 AND NOT deleted "
            "AND retweet_of_tweet_id = ANY($2::bigint[])",
            user_id, possible_ids(tweet_ids),
        )  # fmt: skip
        return {row[0] for row in rows}

    async def _id_page(self, column: str, value: int, page: PageRequest, db: PostgresDatabase | None = None) -> Page[int]:
        rows = await (db or self._db).fetch_all(
            f"SELECT tweet_id FROM tweets WHERE {column} = $1 AND NOT deleted AND tweet_id < $2 "
            "ORDER BY tweet_id DESC LIMIT $3",
            value, page.cursor or _MAX_ID, page.size + 1,
        )  # fmt: skip
        return page_of(rows, page.size, lambda row: row[0], lambda row: row[0])


async def _mark_deleted(tx: asyncpg.Connection, tweets: list[Tweet]) -> int:
    """Keeps the rows as tombstones, without their text, so caches can still be cleaned of them."""
    sql = "UPDATE tweets SET deleted = TRUE, text = '' WHERE tweet_id = ANY($1::bigint[]) AND NOT deleted"
    return rows_affected(await tx.execute(sql, [tweet.tweet_id for tweet in tweets]))


async def _count_on_parents(tx: asyncpg.Connection, tweets: list[Tweet], delta: int) -> None:
    """Moves each parent's reply or retweet count by delta per child among the tweets."""
    for column, parent_of in (("reply_count", "in_reply_to_tweet_id"), ("retweet_count", "retweet_of_tweet_id")):
        parents = [getattr(tweet, parent_of) for tweet in tweets if getattr(tweet, parent_of)]
        if parents:
            await tx.execute(_COUNT_ON_PARENTS.format(count=column), parents, delta)
