"""The PostgreSQL outbox's append: one statement that keeps each transaction's events in order, and
commits in seq order (a transaction appending waits for the one that appended before it to end)."""

import asyncio

import asyncpg
import pytest

from services.common.kernel.events import UserFollowed
from services.common.messaging import codec as event_codec
from services.common.messaging.outbox.postgres_store import PostgresOutbox
from services.common.storage.postgres import PostgresDatabase
from services.tweet.adapters.postgres_migrations import MIGRATIONS
from tests.integration.servers import fresh_postgres_database


async def stored(outbox: PostgresOutbox) -> list[tuple[int, int]]:
    """(seq, follower) of each stored event, in seq order."""
    return [(event.seq, event_codec.decode(event.payload).follower_id) for event in await outbox.pending(0, 1000)]


async def test_a_transactions_events_are_stored_in_their_order_with_their_time_and_headers():
    async with fresh_postgres_database() as dsn:
        db = await PostgresDatabase.open(dsn, "tweet", MIGRATIONS)
        outbox = PostgresOutbox(db)
        await outbox.write(lambda connection: outbox.append(connection, [UserFollowed(n, 9) for n in (5, 3, 8, 1)]))
        await outbox.write(lambda connection: outbox.append(connection, []))
        events = await stored(outbox)
        assert [follower for _, follower in events] == [5, 3, 8, 1]
        assert [seq for seq, _ in events] == list(range(events[0][0], events[0][0] + 4))
        assert all(isinstance(event.headers, dict) for event in await outbox.pending(0, 10))
        row = await db.fetch_one("SELECT COUNT(*) AS n, MIN(created_at) = MAX(created_at) AS same FROM outbox")
        assert row["n"] == 4 and row["same"]
        await db.close()


async def appended_and_held(outbox: PostgresOutbox, follower: int) -> tuple[asyncio.Task, asyncio.Event]:
    """A transaction that has appended one event and stays open (holding the append lock) until the event is set."""
    appended, release = asyncio.Event(), asyncio.Event()

    async def holding(connection) -> None:
        await outbox.append(connection, [UserFollowed(follower, 9)])
        appended.set()
        await release.wait()

    task = asyncio.create_task(outbox.write(holding))
    await appended.wait()
    return task, release


async def test_an_append_waits_for_the_transaction_that_appended_first_to_commit():
    async with fresh_postgres_database() as dsn:
        db = await PostgresDatabase.open(dsn, "tweet", MIGRATIONS)
        outbox = PostgresOutbox(db)
        holding, release = await appended_and_held(outbox, 1)
        second = asyncio.create_task(outbox.write(lambda connection: outbox.append(connection, [UserFollowed(2, 9)])))
        await asyncio.sleep(0.3)
        assert not second.done()  # held by the first transaction's lock
        release.set()
        await asyncio.gather(holding, second)
        assert [follower for _, follower in await stored(outbox)] == [1, 2]
        await db.close()


async def test_a_statement_written_with_its_events_stores_both_or_neither_and_waits_its_turn():
    """write_with: a row and its events in one statement: a refused row stores no event, and an earlier transaction
    that appended holds it back until it commits, as a transaction's append is."""
    async with fresh_postgres_database() as dsn:
        db = await PostgresDatabase.open(dsn, "tweet", MIGRATIONS)
        outbox = PostgresOutbox(db)
        insert = "INSERT INTO outbox_offsets (consumer, seq) VALUES ($1, $2)"
        await outbox.write_with(insert, ("first", 1), [UserFollowed(1, 9), UserFollowed(2, 9)])
        with pytest.raises(asyncpg.UniqueViolationError):
            await outbox.write_with(insert, ("first", 2), [UserFollowed(3, 9)])
        await outbox.write_with(insert, ("no events", 1), [])
        holder, release = await appended_and_held(outbox, 4)
        waiting = asyncio.create_task(outbox.write_with(insert, ("second", 1), [UserFollowed(5, 9)]))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        release.set()
        await asyncio.gather(holder, waiting)
        assert [follower for _, follower in await stored(outbox)] == [1, 2, 4, 5]
        rows = await db.fetch_all("SELECT consumer FROM outbox_offsets ORDER BY consumer")
        assert [row["consumer"] for row in rows] == ["first", "no events", "second"]
        await db.close()
