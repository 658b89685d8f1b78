"""Posts with no parent, inserted together on PostgreSQL: the posts in flight share one statement, each
with its events in order, and a post the database refuses fails alone."""

import asyncio

import asyncpg
import pytest

from services.common.kernel.events import TweetCreated
from services.common.messaging import codec as event_codec
from services.common.messaging.outbox.postgres_store import PostgresOutbox
from services.common.storage.postgres import PostgresDatabase
from services.tweet.adapters.postgres_migrations import MIGRATIONS
from services.tweet.adapters.postgres_posts import PostgresNewPosts
from services.tweet.adapters.postgres_repository import PostgresTweetRepository
from services.tweet.domain import Tweet
from tests.integration.servers import fresh_postgres_database


class CountedOutbox(PostgresOutbox):
    """The real outbox, counting the statements that wrote a row with its events."""

    statements = 0

    async def write_with(self, statement, args, events):
        self.statements += 1
        return await super().write_with(statement, args, events)


def post(tweet_id: int, text: str = "hello") -> tuple[Tweet, list]:
    return Tweet(tweet_id, 7, text), [TweetCreated(tweet_id, 7, text), TweetCreated(tweet_id, 7, text + " again")]


async def test_posts_in_flight_share_a_statement_and_keep_their_events_in_order():
    async with fresh_postgres_database() as dsn:
        db = await PostgresDatabase.open(dsn, "tweet", MIGRATIONS)
        outbox = CountedOutbox(db)
        repository = PostgresTweetRepository(db, outbox)
        await asyncio.gather(*(repository.add(*post(tweet_id)) for tweet_id in range(100, 130)))
        assert outbox.statements <= 2  # asked in one turn of the loop: one statement (two, were the first to leave alone)
        assert sorted(await repository.get_many(range(100, 130))) == list(range(100, 130))
        events = [event_codec.decode(e.payload) for e in await outbox.pending(0, 1000)]
        assert len(events) == 60
        for first, second in zip(events[0::2], events[1::2]):  # each post's two events, side by side, in order
            assert (first.tweet_id, first.text, second.text) == (second.tweet_id, "hello", "hello again")
        await db.close()


async def test_a_post_the_database_refuses_fails_alone_and_stores_no_event():
    async with fresh_postgres_database() as dsn:
        db = await PostgresDatabase.open(dsn, "tweet", MIGRATIONS)
        outbox = PostgresOutbox(db)
        posts = PostgresNewPosts(outbox)
        results = await asyncio.gather(*(posts.add(*post(n, "nul \x00 byte" if n == 3 else "fine")) for n in range(1, 6)),
                                       return_exceptions=True)  # fmt: skip
        assert isinstance(results[2], asyncpg.PostgresError)  # text PostgreSQL can't hold
        assert [r for n, r in enumerate(results) if n != 2] == [None] * 4
        rows = await db.fetch_all("SELECT tweet_id FROM tweets ORDER BY tweet_id")
        assert [row["tweet_id"] for row in rows] == [1, 2, 4, 5]
        assert sorted({event_codec.decode(e.payload).tweet_id for e in await outbox.pending(0, 100)}) == [1, 2, 4, 5]
        await db.close()


async def test_a_tweet_with_a_parent_is_not_taken():
    async with fresh_postgres_database() as dsn:
        db = await PostgresDatabase.open(dsn, "tweet", MIGRATIONS)
        with pytest.raises(ValueError, match="has a parent"):
            await PostgresNewPosts(PostgresOutbox(db)).add(Tweet(2, 7, "a reply", in_reply_to_tweet_id=1), [])
        await db.close()
