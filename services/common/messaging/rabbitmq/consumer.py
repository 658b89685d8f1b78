"""Consuming from the bus: manual acks after the handler, bounded concurrency, retries with backoff, dead letters.

Guarantees:
- At least once: a message is acked only after its handler returned, or after it was moved
  (confirmed by the broker) to `<name>.retry` or `<name>.dead`. If the channel dies first, the
  broker redelivers it, so handlers must be idempotent. A message is never dropped: when that
  move cannot be confirmed, the message is requeued instead of acked.
- Up to `prefetch` messages are handled at once, each as its own asyncio task: a slow handler never
  blocks pika's I/O or heartbeats. The events of a batch (batches.py) are handled side by side, each
  on its own: one that fails goes to the retry queue alone, and the batch is acked once every event
  is handled or set aside.
- A failed message waits in `<name>.retry` for the policy's backoff (first_backoff * 2^(attempt-1),
  capped at max_backoff), then the broker dead-letters it back to `<name>`; the header
  `x-chirp-attempts` counts the failures. Once the policy gives up (`retry.attempts` failures, or,
  for an outage, once the waits add up to `retry.outage_seconds`), it goes to `<name>.dead` with the
  error in `x-chirp-error`. While it waits it holds no prefetch slot: the other messages go on.
  RabbitMQ expires messages only at the head of a queue, so a retry can wait behind one with a
  longer backoff (never longer than max_backoff).
- Each handler runs in a span continuing the trace carried in the `traceparent` header.
- After a reconnect the bus re-declares the queues and the consumer resumes by itself.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pika
from pika import spec

from services.common.messaging.rabbitmq import batches
from services.common.messaging.rabbitmq.bridge import Channel, Connection
from services.common.messaging.rabbitmq.message import Message
from services.common.messaging.rabbitmq.topology import QueueSpec, declare_queues
from services.common.messaging.retry import RetryPolicy, described
from services.common.runtime.concurrency import cancel_and_wait
from services.common.runtime.tracing import continued_span
from services.common.telemetry import metrics

log = logging.getLogger("chirp.rabbitmq")
Handler = Callable[[bytes, dict[str, Any]], Awaitable[None]]
ATTEMPTS_HEADER, ERROR_HEADER, ROUTING_KEY_HEADER = "x-chirp-attempts", "x-chirp-error", "x-chirp-routing-key"


class ConsumerBus(Protocol):
    """What a consumer needs from its bus (the RabbitBus): where to bind, and where to publish retries."""

    exchange: str
    timeout: float
    queue_type: str

    def channel_lost(self, connection: Connection, what: str, reason: object) -> None: ...

    async def publish(self, messages: Sequence[Message], timeout: float | None = None) -> None: ...


@dataclass
class ConsumerStats:
    handled: int = 0  # handler calls that succeeded
    failed_attempts: int = 0  # handler calls that raised
    dead_lettered: int = 0  # messages moved to <name>.dead
    redelivered: int = 0  # deliveries flagged redelivered: an earlier delivery was not acked (e.g. its consumer died)


class Consumer:
    def __init__(self, bus: ConsumerBus, queue: QueueSpec, handler: Handler, prefetch: int, retry: RetryPolicy,
                 hold_ack_seconds: float):
        if prefetch < 1:
            raise ValueError(f"prefetch must be at least 1, not {prefetch}")
        self.queue, self.stats = queue, ConsumerStats()
        self._bus, self._handler, self._prefetch, self._retry = bus, handler, prefetch, retry
        self._hold_ack_seconds = hold_ack_seconds  # test hook: a pause between the handler and the ack, see _deliver
        self._channel: Channel | None = None
        self._consumer_tag = ""
        self._attached_to: Connection | None = None
        self.stopped = False
        self._tasks: set[asyncio.Task] = set()  # running handlers, across reconnects

    @property
    def in_flight(self) -> int:
        """Messages taken from the queue whose handling (and ack) has not finished."""
        return len(self._tasks)

    async def attach(self, connection: Connection) -> None:
        """Declares the queues and subscribes on a new channel of `connection` (once per connection)."""
        if self.stopped or self._attached_to is connection:
            return
        self._attached_to, channel = connection, None
        try:
            channel = await connection.channel(self._bus.timeout)
            await declare_queues(channel, self._bus.exchange, self.queue, self._bus.queue_type)
            await channel.call("basic_qos", prefetch_count=self._prefetch)
            self._consumer_tag = await channel.consume(self.queue.name, self._deliver, self._tasks, self._cancelled)
        except BaseException:
            self._attached_to = None
            if channel is not None:
                channel.close()
            raise
        what = f"consumer {self.queue.name}"
        channel.closed.add_done_callback(lambda closed: self.stopped or self._bus.channel_lost(connection, what, closed.result()))
        self._channel = channel

    async def stop(self, grace_seconds: float = 5.0) -> None:
        """Stops taking messages, lets running handlers finish (up to grace_seconds), then closes the channel."""
        self.stopped = True
        channel = self._channel
        if channel is not None and channel.is_open:
            try:
                await channel.call("basic_cancel", self._consumer_tag)
            except (ConnectionError, TimeoutError) as error:
                log.warning("consumer %s: cancel failed: %r", self.queue.name, error)
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=grace_seconds)
            await cancel_and_wait(*late)  # not acked: the broker redelivers these messages
        if channel is not None:
            channel.close()

    def _cancelled(self) -> None:
        log.error("consumer %s: RabbitMQ cancelled the subscription (was the queue deleted?); it stops", self.queue.name)
        self.stopped = True
        if self._channel is not None:
            self._channel.close()

    async def _deliver(self, channel: Channel, method: spec.Basic.Deliver, properties: pika.BasicProperties, body: bytes) -> None:
        if method.redelivered:
            self.stats.redelivered += 1
        events = batches.unpacked(body, properties.headers or {})
        if len(events) == 1:
            done = [await self._handle(channel, method, *events[0])]
        else:
            done = await asyncio.gather(*(self._handle(channel, method, each, headers) for each, headers in events))
        if not all(done):
            channel.requeue(method.delivery_tag)  # a failed event could not be set aside: all again (handlers are idempotent)
            return
        if self._hold_ack_seconds > 0:  # test hook only: lets a test kill a worker while it holds an unacked message
            await asyncio.sleep(self._hold_ack_seconds)
        if not channel.ack(method.delivery_tag):
            log.warning("consumer %s: channel lost before the ack of %s; the broker redelivers it", self.queue.name, method.delivery_tag)

    async def _handle(self, channel: Channel, method: spec.Basic.Deliver, body: bytes, headers: dict[str, Any]) -> bool:
        """One event: handled, or set aside to retry (or dead); False when it could not be set aside."""
        try:
            with continued_span(f"consume {self.queue.name}", headers):
                await self._handler(body, dict(headers))
        except Exception as error:
            self.stats.failed_attempts += 1
            return await self._set_aside(channel, method, body, headers, error)
        self.stats.handled += 1
        return True

    async def _set_aside(self, channel: Channel, method: spec.Basic.Deliver, body: bytes, headers: dict[str, Any],
                         error: Exception) -> bool:
        """Moves a failed message to the retry queue, or to the dead-letter queue once out of attempts; False if it could not."""
        if not channel.is_open:
            return False  # the broker redelivers it anyway; a copy would only duplicate it
        attempt = _attempts(headers) + 1
        kept = {key: value for key, value in headers.items() if key != "x-death"}  # the broker's own bookkeeping
        kept.setdefault(ROUTING_KEY_HEADER, method.routing_key)
        kept[ATTEMPTS_HEADER] = str(attempt)
        if self._retry.gives_up(error, attempt):
            log.error("consumer %s: giving up after %s attempts: %s; moved to %s", self.queue.name, attempt, described(error), self.queue.dead_queue)
            message = Message(self.queue.dead_queue, body, kept | {ERROR_HEADER: described(error)[:2000]}, exchange="", mandatory=True)
        else:
            backoff = self._retry.backoff(attempt)
            log.warning("consumer %s: attempt %s failed: %s; retrying in %.2fs", self.queue.name, attempt, described(error), backoff)
            message = Message(self.queue.retry_queue, body, kept, exchange="", expiration_ms=max(1, round(backoff * 1000)), mandatory=True)
        try:
            await self._bus.publish([message])
        except Exception as publish_error:
            log.error("consumer %s: could not set the failed message aside (%r); requeued", self.queue.name, publish_error)
            return False
        if message.routing_key == self.queue.dead_queue:
            self.stats.dead_lettered += 1
            metrics.dead_lettered(self.queue.name)
        return True


def _attempts(headers: dict[str, Any]) -> int:
    value = headers.get(ATTEMPTS_HEADER, 0)
    try:
        return int(value.decode() if isinstance(value, bytes) else value)
    except ValueError:
        return 0
