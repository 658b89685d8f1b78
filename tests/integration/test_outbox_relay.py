"""The relay from the outbox to RabbitMQ: in order, confirmed, with the trace of the commit (commit, then a producer span a message, then the consumer's)."""

import asyncio

import pytest

from services.common.kernel.events import TweetCreated, UserFollowed
from services.common.messaging import codec as event_codec
from services.common.messaging.outbox.relay import Batching, OutboxRelay
from services.common.messaging.outbox.sqlite_store import SCHEMA, SqliteOutbox
from services.common.messaging.rabbitmq.bus import QueueSpec, RabbitBus
from services.common.runtime.tracing import tracer
from services.common.storage.sqlite import Database
from tests.integration.servers import RABBITMQ_URL, fresh_bus_namespace
from tests.integration.spans import capture_spans


async def commit(outbox: SqliteOutbox, events) -> None:
    await outbox.write(lambda tx: outbox.append(tx, events))


async def test_the_relay_publishes_in_order_moves_past_only_what_it_sent_and_carries_the_trace(tmp_path):
    exporter = capture_spans()
    db = await Database.open(tmp_path / "relay.db")
    await db.apply_schema(SCHEMA)
    outbox = SqliteOutbox(db)
    with tracer().start_as_current_span("create tweet") as committed_in:
        await commit(outbox, [TweetCreated(1, 9, "traced")])
    await commit(outbox, [UserFollowed(i, 9) for i in range(150)])  # more than one batch
    async with fresh_bus_namespace() as namespace:
        bus = await RabbitBus.connect(RABBITMQ_URL, exchange=f"{namespace}.events", name="relay-test")
        received, done = [], asyncio.Event()

        async def handler(body: bytes, headers: dict) -> None:
            received.append(event_codec.decode(body))
            if len(received) == 151:
                done.set()

        await bus.consume(QueueSpec(f"{namespace}.fanout.events", ["tweet.created", "user.followed"]), handler, prefetch=1)
        relay = OutboxRelay(outbox, bus)
        assert await relay.drain_once() == 100 and (await relay.stats()).depth == 51
        assert await relay.drain_once() == 51 and (await relay.stats()).depth == 0
        await asyncio.wait_for(done.wait(), 20)
        await bus.close()
    await db.close()
    assert received == [TweetCreated(1, 9, "traced"), *[UserFollowed(i, 9) for i in range(150)]]
    consumed = [s for s in exporter.get_finished_spans() if s.name == f"consume {namespace}.fanout.events"]
    traced = [s for s in consumed if s.context.trace_id == committed_in.get_span_context().trace_id]
    published = [s for s in exporter.get_finished_spans() if s.name == "publish tweet.created"]
    published = [s for s in published if s.context.trace_id == committed_in.get_span_context().trace_id]
    assert len(published) == 1 and published[0].parent.span_id == committed_in.get_span_context().span_id
    assert len(traced) == 1 and traced[0].parent.span_id == published[0].context.span_id
    assert [link.context.span_id for link in traced[0].links] == [published[0].context.span_id]


async def test_a_queue_for_addressed_posts_gets_those_alone_even_where_it_was_bound_to_every_post(tmp_path):
    db = await Database.open(tmp_path / "relay.db")
    await db.apply_schema(SCHEMA)
    outbox = SqliteOutbox(db)
    posts = [TweetCreated(1, 9, "plain #tag"), TweetCreated(2, 9, "hi @bob"), TweetCreated(3, 9, "yes", in_reply_to_tweet_id=1),
             TweetCreated(4, 9, retweet_of_tweet_id=1), UserFollowed(1, 9)]  # fmt: skip
    await commit(outbox, posts)
    async with fresh_bus_namespace() as namespace:
        bus = await RabbitBus.connect(RABBITMQ_URL, exchange=f"{namespace}.events", name="relay-test")
        every, addressed = [], []

        def handler_for(seen: list):
            async def handler(body: bytes, headers: dict) -> None:
                seen.append(event_codec.decode(body))
            return handler

        old = QueueSpec(f"{namespace}.notification.events", ["tweet.created", "user.followed"])  # as an earlier version bound it
        await (await bus.consume(old, handler_for(addressed))).stop()
        for seen, name, only in ((every, "fanout", False), (addressed, "notification", True)):
            bound, unbound = event_codec.bindings([TweetCreated, UserFollowed], addressed_posts_only=only)
            await bus.consume(QueueSpec(f"{namespace}.{name}.events", bound, unbound), handler_for(seen), prefetch=10)
        assert await OutboxRelay(outbox, bus).drain_once() == 5
        await asyncio.wait_for(_until(lambda: len(every) == 5 and len(addressed) == 4), 20)
        await asyncio.sleep(0.2)
        await bus.close()
    await db.close()
    assert sorted(every, key=repr) == sorted(posts, key=repr)
    assert sorted(addressed, key=repr) == sorted(posts[1:], key=repr)


async def _until(condition) -> None:
    while not condition():
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("events, messages", [(50, 1), (1, 3)], ids=["batched", "one_a_message"])
async def test_a_relay_that_lingers_sends_the_commits_of_that_while_as_one_message_unless_told_one_event_a_message(
        tmp_path, events, messages):
    db = await Database.open(tmp_path / "relay.db")
    await db.apply_schema(SCHEMA)
    outbox = SqliteOutbox(db)
    async with fresh_bus_namespace() as namespace:
        bus = await RabbitBus.connect(RABBITMQ_URL, exchange=f"{namespace}.events", name="relay-test")
        queue = QueueSpec(f"{namespace}.fanout.events", ["user.followed"])
        received = []

        async def handler(body: bytes, headers: dict) -> None:
            received.append(event_codec.decode(body))

        await (await bus.consume(queue, handler)).stop()  # declared and bound; nobody takes the messages yet
        relay = OutboxRelay(outbox, bus, batching=Batching(events, linger_seconds=0.5))
        await relay.start()
        for follower in range(3):  # three commits, each waking the relay
            await commit(outbox, [UserFollowed(follower, 9)])
        await asyncio.wait_for(_until_async(lambda: relay.stats(), lambda stats: stats.depth == 0), 20)
        assert await bus.queue_depth(queue.name) == messages
        await bus.consume(queue, handler)
        await asyncio.wait_for(_until(lambda: len(received) == 3), 20)
        await relay.stop()
        await bus.close()
    await db.close()
    assert received == [UserFollowed(follower, 9) for follower in range(3)]


async def _until_async(read, condition) -> None:
    while not condition(await read()):
        await asyncio.sleep(0.02)
