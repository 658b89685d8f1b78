"""The embedded event bus: durable, ordered, at-least-once, with dead letters."""

import asyncio

from services.common.kernel.events import TweetCreated, UserFollowed
from services.common.messaging.outbox.consumer import OutboxConsumer
from services.common.messaging.outbox.sqlite_store import SCHEMA, SqliteOutbox
from services.common.messaging.retry import RetryPolicy
from services.common.storage.sqlite import Database
from services.mesh.bootstrap import bootstrap
from tests.conftest import make_settings


async def open_db(tmp_path) -> Database:
    db = await Database.open(tmp_path / "bus.db")
    await db.apply_schema(SCHEMA)
    return db


async def publish(outbox: SqliteOutbox, events) -> None:
    await outbox.write(lambda tx: outbox.append(tx, events))


async def test_events_arrive_in_order(tmp_path):
    db = await open_db(tmp_path)
    outbox, seen = SqliteOutbox(db), []

    async def handler(event):
        seen.append(event)

    consumer = OutboxConsumer(outbox, "test", handler)
    events = [UserFollowed(i, i + 1) for i in range(250)]
    await publish(outbox, events)
    while await consumer.drain_once():
        pass
    assert seen == events
    assert (await consumer.stats()).depth == 0
    await db.close()


async def test_an_event_stored_before_a_crash_is_delivered_after_restart(tmp_path):
    db = await open_db(tmp_path)
    await publish(SqliteOutbox(db), [TweetCreated(1, 2, "survives")])
    await db.close()  # the process dies before any consumer ran

    db, seen = await open_db(tmp_path), []

    async def handler(event):
        seen.append(event)

    consumer = OutboxConsumer(SqliteOutbox(db), "test", handler)
    await consumer.drain_once()
    assert seen == [TweetCreated(1, 2, "survives")]
    await db.close()


async def test_a_consumer_resumes_after_its_last_handled_event(tmp_path):
    db = await open_db(tmp_path)
    outbox, seen = SqliteOutbox(db), []

    async def handler(event):
        seen.append(event.follower_id)

    await publish(outbox, [UserFollowed(i, 0) for i in range(3)])
    await OutboxConsumer(outbox, "test", handler).drain_once()
    await publish(outbox, [UserFollowed(i, 0) for i in range(3, 5)])
    await OutboxConsumer(outbox, "test", handler).drain_once()  # a new process, same name
    assert seen == [0, 1, 2, 3, 4]
    await db.close()


async def test_an_event_that_keeps_failing_becomes_a_dead_letter_and_the_rest_flow(tmp_path):
    db = await open_db(tmp_path)
    outbox, seen = SqliteOutbox(db), []

    async def handler(event):
        if event.follower_id == 1:
            raise RuntimeError("poison")
        seen.append(event.follower_id)

    consumer = OutboxConsumer(outbox, "test", handler, RetryPolicy(attempts=3, first_backoff_seconds=0.001))
    await publish(outbox, [UserFollowed(i, 0) for i in range(3)])
    await consumer.drain_once()
    assert seen == [0, 2]
    stats = await consumer.stats()
    assert (stats.depth, stats.dead_letters) == (0, 1)
    row = await db.fetch_one("SELECT seq, error FROM outbox_dead_letters")
    assert "poison" in row["error"]
    await db.close()


async def test_a_running_consumer_is_woken_by_a_commit(tmp_path):
    db = await open_db(tmp_path)
    outbox, arrived = SqliteOutbox(db), asyncio.Event()

    async def handler(event):
        arrived.set()

    consumer = OutboxConsumer(outbox, "test", handler)
    consumer.poll_seconds = 60  # only a notify can wake it in time
    await consumer.start()
    await asyncio.sleep(0.05)
    await publish(outbox, [UserFollowed(1, 2)])
    await asyncio.wait_for(arrived.wait(), 5)
    await consumer.stop()
    await db.close()


async def test_a_mesh_restart_fans_out_what_the_last_one_accepted(tmp_path):
    settings = make_settings(tmp_path)
    first = await bootstrap(settings)  # consumers never start: the process "dies" after commit
    author = (await first.graph.create_user("author", "")).user_id
    reader = (await first.graph.create_user("reader", "")).user_id
    await first.graph.follow(reader, author)
    tweet = (await first.tweets.create(author, "accepted before the crash")).tweet.tweet_id
    await first.resources.close()

    second = await bootstrap(settings)
    await second.cache.start(reader)
    await second.cache.complete(reader)
    await second.start()
    for _ in range(500):
        if (await second.fanout.queue_stats()).depth == 0:
            break
        await asyncio.sleep(0.01)
    assert await second.cache.read(reader) == [tweet]
    await second.close()


async def test_a_write_cancelled_at_any_point_leaves_the_database_writable(tmp_path):
    db = await open_db(tmp_path)

    async def slow_write(n: int) -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO outbox_offsets VALUES (?, 0)", (f"c{n}",))
            await asyncio.sleep(0.001)

    for n in range(60):  # cancel at many different points of BEGIN, body and COMMIT
        task = asyncio.create_task(slow_write(n))
        await asyncio.sleep(n * 0.0001)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    await slow_write(999)
    assert await db.fetch_one("SELECT 1 FROM outbox_offsets WHERE consumer = 'c999'")
    await db.close()
