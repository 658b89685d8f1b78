"""The RabbitMQ bus against the real broker: confirms, manual acks, retries, prefetch, tracing, reconnects.

No mocks, no skips: an unreachable broker fails these tests. Each test uses its own exchange and
queues (uuid-suffixed) and deletes them at the end.
"""

import asyncio
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pika.channel
import pytest
from opentelemetry import propagate, trace
from redis import exceptions as redis_errors

from services.common.messaging.rabbitmq.bus import BusUnavailable, Message, PublishError, QueueSpec, RabbitBus, RetryPolicy
from services.common.messaging.rabbitmq.topology import QueueTypeMismatch
from services.common.runtime.tracing import tracer
from tests.integration.servers import RABBITMQ_URL as URL
from tests.integration.spans import capture_spans


@dataclass
class Broker:
    """Opens buses on one test's own exchange, and deletes that exchange and the test's queues afterwards."""

    exchange: str = field(default_factory=lambda: f"test.chirp.{uuid.uuid4().hex}")
    queues: list[QueueSpec] = field(default_factory=list)
    buses: list[RabbitBus] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)

    def queue(self, *bindings: str, name: str | None = None) -> QueueSpec:
        spec = QueueSpec(name or f"test.chirp.{uuid.uuid4().hex}", bindings=bindings)
        self.queues.append(spec)
        return spec

    async def bus(self, name: str = "test", queue_type: str = "quorum") -> RabbitBus:
        bus = await RabbitBus.connect(URL, exchange=self.exchange, name=f"{name}-{uuid.uuid4().hex[:8]}", timeout=5.0, queue_type=queue_type)
        self.buses.append(bus)
        return bus


async def rabbitmqctl(*args: str) -> str:
    process = await asyncio.create_subprocess_exec("rabbitmqctl", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, output.decode()
    return output.decode()


async def eventually(condition: Callable[[], bool | Awaitable[bool]], timeout: float = 10.0, what: str = "condition") -> None:
    async def poll() -> None:
        while True:
            result = condition()
            if await result if isinstance(result, Awaitable) else result:
                return
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(poll(), timeout)
    except TimeoutError:
        raise AssertionError(f"{what} did not happen within {timeout}s") from None


@pytest.fixture
async def broker() -> AsyncIterator[Broker]:
    broker, errors = Broker(), []
    yield broker
    for bus in broker.buses:
        try:
            await asyncio.wait_for(bus.close(), 10)
        except Exception as error:  # still clean up the broker; fail afterwards
            errors.append(error)
    for policy in broker.policies:
        await rabbitmqctl("clear_policy", policy)
    admin = await RabbitBus.connect(URL, exchange=broker.exchange, name="test-cleanup", timeout=5.0)
    await asyncio.wait_for(admin.delete(broker.queues, exchange=True), 10)
    await admin.close()
    if errors:
        raise errors[0]


async def test_a_batch_of_2000_is_confirmed_stored_and_consumed_exactly(broker):
    bus, queue, seen = await broker.bus(), broker.queue("tweet.*"), []

    async def handler(body: bytes, headers: dict) -> None:
        seen.append(body)

    await (await bus.consume(queue, handler)).stop()  # declares and binds the queue, then leaves it alone
    bodies = [f"tweet {i}".encode() for i in range(2000)]
    await asyncio.wait_for(bus.publish([Message("tweet.created", body) for body in bodies]), 15)
    assert await bus.queue_depth(queue.name) == 2000  # every confirmed message is in the queue

    consumer = await bus.consume(queue, handler, prefetch=200)
    await eventually(lambda: len(seen) >= 2000, what="consuming 2000 messages")
    await asyncio.sleep(0.2)  # nothing more arrives
    assert sorted(seen) == sorted(bodies) and len(seen) == 2000
    assert consumer.stats.handled == 2000 and consumer.stats.redelivered == 0
    await eventually(lambda: _depth_is(bus, queue.name, 0), what="the queue draining")


async def test_nacks_and_unroutable_messages_fail_the_publish(broker):
    # A classic queue: a quorum queue applies max-length only once its log has the messages, so it nacks none of a fast batch.
    bus, queue = await broker.bus(queue_type="classic"), broker.queue("full.#")
    policy = f"test-chirp-{uuid.uuid4().hex}"
    await rabbitmqctl("set_policy", "--apply-to", "queues", policy, f"^{queue.name}$", '{"max-length":1,"overflow":"reject-publish"}')
    broker.policies.append(policy)
    await (await bus.consume(queue, _ignore)).stop()

    with pytest.raises(PublishError, match="nacked") as failure:
        await asyncio.wait_for(bus.publish([Message("full.x", b"%d" % i) for i in range(3)]), 10)
    assert failure.value.unconfirmed == [1, 2]  # the first fit in the queue; the broker refused the others
    with pytest.raises(PublishError, match="unroutable"):
        await asyncio.wait_for(bus.publish([Message("nobody.listens", b"x", mandatory=True)]), 10)
    await bus.publish([Message("nobody.listens", b"x")])  # not mandatory: routed nowhere, and that is fine


async def test_a_message_held_unacked_by_a_dying_worker_is_redelivered_to_another(broker):
    queue, first_seen, second_seen = broker.queue("job.*"), asyncio.Event(), []
    worker, other, publisher = await broker.bus("worker"), await broker.bus("other"), await broker.bus("publisher")

    async def first(body: bytes, headers: dict) -> None:
        first_seen.set()

    async def second(body: bytes, headers: dict) -> None:
        second_seen.append(body)

    held = await worker.consume(queue, first, prefetch=1, hold_ack_seconds=2.0)  # done, but not acked yet
    await publisher.publish([Message("job.run", b"only once, at least")])
    await asyncio.wait_for(first_seen.wait(), 10)
    taker = await other.consume(queue, second, prefetch=1)
    sever(worker)

    await eventually(lambda: second_seen == [b"only once, at least"], what="the redelivery to the other worker")
    assert taker.stats.redelivered == 1 and taker.stats.handled == 1
    assert held.stats.handled == 1
    await eventually(lambda: worker.is_connected and worker.connections == 2, what="the dead worker's bus reconnecting")
    await asyncio.sleep(2.1)  # the held handler wakes up on a dead channel: no ack, no error, no third delivery
    assert second_seen == [b"only once, at least"] and held.stats.redelivered == 0
    assert await worker.queue_depth(queue.name) == 0


async def test_handlers_finishing_together_share_one_ack_that_never_covers_a_running_one(broker, monkeypatch):
    queue, release, finish, redelivered = broker.queue("batch.*"), asyncio.Event(), asyncio.Event(), []
    worker, other, publisher = await broker.bus("worker"), await broker.bus("other"), await broker.bus("publisher")
    sent: list[tuple[int, bool]] = []
    basic_ack = pika.channel.Channel.basic_ack
    monkeypatch.setattr(pika.channel.Channel, "basic_ack", lambda ch, tag=0, multiple=False: sent.append((tag, multiple)) or basic_ack(ch, tag, multiple))

    async def handler(body: bytes, headers: dict) -> None:
        await release.wait()
        if body == b"9":
            await finish.wait()  # still running when its worker dies

    async def taker(body: bytes, headers: dict) -> None:
        redelivered.append(body)

    consumer = await worker.consume(queue, handler, prefetch=10)
    await publisher.publish([Message("batch.x", b"%d" % i) for i in range(10)])
    await eventually(lambda: consumer.in_flight == 10, what="ten deliveries")
    release.set()
    await eventually(lambda: consumer.stats.handled == 9, what="nine handlers finishing")
    await asyncio.sleep(0.1)
    assert sent == [(9, True)]  # tags 1 to 9 (bodies 0 to 8) in one frame; the tenth runs on
    await other.consume(queue, taker, prefetch=1)
    sever(worker)
    await eventually(lambda: redelivered == [b"9"], what="the redelivery of the one that was running")
    await asyncio.sleep(0.2)
    assert redelivered == [b"9"]
    finish.set()  # so the dead worker's close need not wait out its grace for the handler


async def test_a_failing_message_backs_off_through_the_retry_queue_then_goes_dead(broker):
    bus, queue = await broker.bus(), broker.queue("work.*")
    calls: dict[bytes, list[float]] = {b"always": [], b"once": []}

    async def handler(body: bytes, headers: dict) -> None:
        calls[body].append(time.monotonic())
        if body == b"always" or len(calls[body]) == 1:
            raise RuntimeError(f"cannot handle {body.decode()}")

    retry = RetryPolicy(attempts=3, first_backoff_seconds=0.2, max_backoff_seconds=0.3)
    consumer = await bus.consume(queue, handler, prefetch=5, retry=retry)
    await bus.publish([Message("work.a", b"always"), Message("work.b", b"once")])
    await eventually(lambda: consumer.stats.dead_lettered == 1, what="the dead letter")

    assert len(calls[b"once"]) == 2 and len(calls[b"always"]) == 3
    gaps = [later - earlier for earlier, later in zip(calls[b"always"], calls[b"always"][1:])]
    assert 0.19 <= gaps[0] < 1.5 and 0.29 <= gaps[1] < 1.5, gaps  # 0.2 s, then 0.4 s capped at 0.3 s
    assert consumer.stats.handled == 1 and consumer.stats.failed_attempts == 4
    assert await bus.queue_depth(queue.retry_queue) == 0

    [(body, headers)] = await dead_letters(broker, bus, queue, 1)
    assert body == b"always" and headers["x-chirp-attempts"] == "3" and headers["x-chirp-routing-key"] == "work.a"
    assert "cannot handle always" in headers["x-chirp-error"]


async def test_a_batched_publish_is_one_message_whose_events_are_handled_and_set_aside_one_by_one(broker):
    bus, queue = await broker.bus(), broker.queue("batch.*")
    calls: dict[bytes, int] = {}

    async def handler(body: bytes, headers: dict) -> None:
        calls[body] = calls.get(body, 0) + 1
        if body == b"bad":
            raise RuntimeError("cannot handle bad")

    await (await bus.consume(queue, _ignore)).stop()
    bodies = [b"one", b"bad", b"two", b"three"]
    await bus.publish([Message("batch.x", body) for body in bodies], batch=50)
    assert await bus.queue_depth(queue.name) == 1  # four events, one message

    retry = RetryPolicy(attempts=2, first_backoff_seconds=0.05, max_backoff_seconds=0.05)
    consumer = await bus.consume(queue, handler, prefetch=1, retry=retry)
    await eventually(lambda: consumer.stats.dead_lettered == 1, what="the bad event's dead letter")
    await asyncio.sleep(0.2)
    assert calls == {b"one": 1, b"bad": 2, b"two": 1, b"three": 1}  # the others were not handled again
    assert consumer.stats.handled == 3 and consumer.in_flight == 0
    assert [await bus.queue_depth(q) for q in (queue.name, queue.retry_queue, queue.dead_queue)] == [0, 0, 1]

    [(body, headers)] = await dead_letters(broker, bus, queue, 1)
    assert body == b"bad" and headers["x-chirp-attempts"] == "2" and headers["x-chirp-routing-key"] == "batch.x"
    assert "x-chirp-batch" not in headers and "cannot handle bad" in headers["x-chirp-error"]


async def test_an_outage_is_retried_past_the_attempts_without_holding_up_others_and_a_bug_still_goes_dead(broker):
    bus, queue = await broker.bus(), broker.queue("job.*")
    calls: dict[bytes, int] = {b"outage": 0, b"bug": 0, b"other": 0}
    handled: list[bytes] = []

    async def handler(body: bytes, headers: dict) -> None:
        calls[body] += 1
        if body == b"bug":
            raise ValueError("an event no handler understands")
        if body == b"outage" and calls[body] <= 8:  # a Redis master down, then its replica promoted
            raise redis_errors.ConnectionError("Error 111 connecting to 127.0.0.1:7001")
        handled.append(body)

    retry = RetryPolicy(attempts=3, first_backoff_seconds=0.02, max_backoff_seconds=0.1, outage_seconds=10)
    consumer = await bus.consume(queue, handler, prefetch=1, retry=retry)
    await bus.publish([Message("job.a", b"outage"), Message("job.b", b"bug")])
    await eventually(lambda: calls[b"outage"] >= 2, what="the outage's second attempt")
    await bus.publish([Message("job.c", b"other")])
    await eventually(lambda: b"outage" in handled and consumer.stats.dead_lettered == 1, what="the outage's end and the dead letter")

    assert calls == {b"outage": 9, b"bug": 3, b"other": 1} and handled.index(b"other") < handled.index(b"outage")
    assert consumer.stats.handled == 2 and consumer.in_flight == 0
    assert await bus.queue_depth(queue.retry_queue) == 0 and await bus.queue_depth(queue.dead_queue) == 1


async def test_prefetch_bounds_the_handlers_running_at_once(broker):
    bus, queue = await broker.bus(), broker.queue("load.*")
    running, most, done = 0, 0, []

    async def handler(body: bytes, headers: dict) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.05)
        running -= 1
        done.append(body)

    await (await bus.consume(queue, _ignore)).stop()
    await bus.publish([Message("load.x", b"%d" % i) for i in range(40)])
    await bus.consume(queue, handler, prefetch=4)
    await eventually(lambda: len(done) == 40, what="handling 40 messages")
    assert most == 4


async def test_the_consumer_continues_the_publishers_trace(broker):
    exporter = capture_spans()
    bus, queue, seen = await broker.bus(), broker.queue("traced.*"), asyncio.Event()
    consumed_in: list[trace.SpanContext] = []

    async def handler(body: bytes, headers: dict) -> None:
        consumed_in.append(trace.get_current_span().get_span_context())
        seen.set()

    await bus.consume(queue, handler)
    with tracer().start_as_current_span("create tweet") as span:
        await bus.publish([Message("traced.event", b"x")])
    await asyncio.wait_for(seen.wait(), 10)

    assert consumed_in[0].trace_id == span.get_span_context().trace_id
    producer = next(s for s in exporter.get_finished_spans() if s.name == "publish traced.event")
    assert producer.parent.span_id == span.get_span_context().span_id and producer.kind == trace.SpanKind.PRODUCER
    consumer_span = next(s for s in exporter.get_finished_spans() if s.name == f"consume {queue.name}")
    assert consumer_span.context.trace_id == producer.context.trace_id and consumer_span.parent.span_id == producer.context.span_id
    assert [link.context.span_id for link in consumer_span.links] == [producer.context.span_id]


async def test_each_event_of_a_batch_continues_its_own_publishers_trace(broker):
    exporter = capture_spans()
    bus, queue, consumed_in = await broker.bus(), broker.queue("traced.*"), {}

    async def handler(body: bytes, headers: dict) -> None:
        consumed_in[body] = trace.get_current_span().get_span_context()

    await bus.consume(queue, handler)
    messages, posts = [], {}
    for body in (b"a", b"b", b"c"):
        with tracer().start_as_current_span(f"post {body.decode()}") as span:
            posts[body] = span.get_span_context()
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
            messages.append(Message("traced.event", body, carrier))
    await bus.publish(messages, batch=50)
    await eventually(lambda: len(consumed_in) == 3, what="consuming the batch")

    producers = [s for s in exporter.get_finished_spans() if s.name == "publish traced.event"]
    for body, post in posts.items():
        assert consumed_in[body].trace_id == post.trace_id  # three traces, not one
        producer = next(p for p in producers if p.context.trace_id == post.trace_id)
        assert producer.parent.span_id == post.span_id
        consumer_span = next(s for s in exporter.get_finished_spans()
                             if s.name == f"consume {queue.name}" and s.context.trace_id == post.trace_id)
        assert consumer_span.parent.span_id == producer.context.span_id


async def test_the_bus_reconnects_and_resumes_after_the_broker_closes_every_connection(broker):
    bus, queue, seen = await broker.bus(), broker.queue("again.*"), []

    async def handler(body: bytes, headers: dict) -> None:
        seen.append(body)

    consumer = await bus.consume(queue, handler)
    await bus.publish([Message("again.x", b"before")])
    await eventually(lambda: seen == [b"before"], what="the first message")

    async def publish_once_disconnected() -> None:
        while bus.is_connected and bus.connections == 1:
            await asyncio.sleep(0.001)
        await bus.publish([Message("again.x", b"after")])  # waits for the reconnect, then is confirmed

    publishing = asyncio.create_task(publish_once_disconnected())
    await rabbitmqctl("close_all_connections", "chirp test: the bus must reconnect")
    await asyncio.wait_for(publishing, 10)
    await eventually(lambda: seen == [b"before", b"after"], what="consuming after the reconnect")
    assert bus.connections == 2 and bus.is_connected
    await bus.ping()
    assert consumer.stats.handled == 2


async def test_an_unreachable_broker_fails_instead_of_hanging():
    started = time.monotonic()
    with pytest.raises(BusUnavailable, match="not connected"):
        await RabbitBus.connect("amqp://guest:guest@127.0.0.1:1/%2F", name="test-unreachable", timeout=1.0)
    assert time.monotonic() - started < 3


async def test_queues_are_quorum_queues_and_a_classic_one_in_the_way_stops_the_consumer_with_what_to_do(broker):
    quorum, classic = broker.queue("q.#"), broker.queue("c.#")
    await (await (await broker.bus()).consume(quorum, _ignore)).stop()
    await (await (await broker.bus(queue_type="classic")).consume(classic, _ignore)).stop()
    listed = await rabbitmqctl("list_queues", "name", "type", "--no-table-headers")
    types = dict(line.split("\t") for line in listed.splitlines() if line.startswith("test.chirp."))
    assert {types[name] for name in quorum.queues} == {"quorum"}
    assert {types[name] for name in classic.queues} == {"classic"}
    with pytest.raises(QueueTypeMismatch, match=f"{classic.name}.*delete_queue {classic.name}"):
        await (await broker.bus()).consume(classic, _ignore)


async def test_a_list_of_brokers_skips_the_one_that_is_down():
    down = "amqp://guest:guest@127.0.0.1:1/%2F"
    for _ in range(3):  # whichever of the two it tries first
        bus = await RabbitBus.connect(f"{down},{URL}", name="test-list", timeout=5.0)
        assert bus.is_connected
        await bus.close()


async def dead_letters(broker: Broker, bus: RabbitBus, queue: QueueSpec, count: int) -> list[tuple[bytes, dict]]:
    """The first `count` messages of the queue's dead-letter queue, with their headers."""
    dead = []

    async def keep(body: bytes, headers: dict) -> None:
        dead.append((body, headers))

    await bus.consume(broker.queue(name=queue.dead_queue), keep)
    await eventually(lambda: len(dead) == count, what="reading the dead letters")
    return dead


def sever(bus: RabbitBus) -> None:
    """The worker dies: its TCP connection drops with no AMQP goodbye (pika then reports a lost stream)."""
    bus._link._connection.raw._transport._sock.shutdown(socket.SHUT_RDWR)  # internals (ours and pika 1.4.4), test only


async def _ignore(body: bytes, headers: dict) -> None:
    pass


async def _depth_is(bus: RabbitBus, queue: str, depth: int) -> bool:
    return await bus.queue_depth(queue) == depth
