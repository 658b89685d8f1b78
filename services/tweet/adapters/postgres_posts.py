"""New tweets with no parent (most posts), inserted together: the posts that arrive while one insert is
out leave as the next, one statement with all their events.

Each statement inserts the tweets and appends their events, committed on its own, so a post is
acknowledged only once its row and its events are durable, as when it is inserted alone. Under load a
statement carries the posts of the last round trip (the outbox's append lock, a commit and a round
trip each, are paid once for all of them); at low load a post leaves at once, alone. A statement that
PostgreSQL refuses committed nothing: its posts are then inserted one by one, so one post's error
(say text the database can't hold) is that post's alone.
"""

from collections.abc import Sequence

import asyncpg

from services.common.kernel.events import Event
from services.common.messaging.outbox.postgres_store import PostgresOutbox
from services.common.runtime.coalescing import Coalescer
from services.tweet.adapters.rows import TWEET_COLUMNS, new_row
from services.tweet.domain import Tweet

MAX_POSTS = 100  # posts a statement, at most
_INSERT_TWEETS = (
    f"INSERT INTO tweets ({TWEET_COLUMNS}) SELECT t.*, 0, 0, 0 "
    "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[]) AS t"
)

Post = tuple[Tweet, list[Event]]


class PostgresNewPosts:
    def __init__(self, outbox: PostgresOutbox):
        self._outbox = outbox
        self._waiting: dict[int, Post] = {}  # by tweet id, until their statement leaves
        self._inserts: Coalescer[int, Exception] = Coalescer(self._insert_all, MAX_POSTS)

    async def add(self, tweet: Tweet, events: list[Event]) -> None:
        if tweet.parent_ids:
            raise ValueError(f"tweet {tweet.tweet_id} has a parent: its count moves in the same transaction")
        self._waiting[tweet.tweet_id] = (tweet, events)
        if (refused := await self._inserts.get(tweet.tweet_id)) is not None:
            raise refused

    async def _insert_all(self, tweet_ids: Sequence[int]) -> dict[int, Exception]:
        """Inserts the posts; answers the error of each that PostgreSQL refused (none when the statement passed)."""
        posts = [self._waiting.pop(tweet_id) for tweet_id in tweet_ids]
        try:
            await self._insert(posts)
            return {}
        except asyncpg.PostgresError:
            if len(posts) == 1:
                raise
        refused = {}
        for post in posts:
            try:
                await self._insert([post])
            except asyncpg.PostgresError as error:
                refused[post[0].tweet_id] = error
        return refused

    async def _insert(self, posts: list[Post]) -> None:
        columns = [list(column) for column in zip(*(new_row(tweet) for tweet, _ in posts))]
        await self._outbox.write_with(_INSERT_TWEETS, columns, [event for _, events in posts for event in events])
