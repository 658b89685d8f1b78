"""RabbitBus: the RabbitMQ event bus of asyncio services, on pika's AsyncioConnection.

Guarantees:
- `publish(batch)` sends the whole batch, then returns only once the broker confirmed every
  message (publisher confirms). A nack, a return of a mandatory message, a connection lost
  before the confirm, or the timeout raises `PublishError`: success is never reported for an
  unconfirmed message (a failed batch may be partly stored: retry it, consumers dedupe).
- Messages are persistent (delivery mode 2), `application/x-protobuf`, on a durable topic
  exchange; each gets a producer span, a child of the trace context its headers carry (else of
  the current one), and carries that span's context on.
- The bus reconnects by itself, with bounded exponential backoff, after the connection or any
  of its channels is lost, and re-declares the exchange, the queues and the consumers.
  While it is down, `publish` waits for it up to its timeout, then raises `BusUnavailable`.
- Consuming (manual acks, retries, dead letters): see `consumer.py`.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import TypeVar

import pika

from services.common.messaging.rabbitmq import batches, topology
from services.common.messaging.rabbitmq.bridge import Channel, ChannelLost, Connection, PublishError
from services.common.messaging.rabbitmq.consumer import Consumer, ConsumerStats, Handler
from services.common.messaging.rabbitmq.link import BusUnavailable, Link
from services.common.messaging.rabbitmq.message import Message
from services.common.messaging.rabbitmq.topology import QueueSpec
from services.common.messaging.retry import RetryPolicy
from services.common.runtime.tracing import producer_spans

__all__ = ["BusUnavailable", "Consumer", "ConsumerStats", "Message", "PublishError", "QueueSpec", "RabbitBus", "RetryPolicy"]
T = TypeVar("T")
PERSISTENT, CONTENT_TYPE = 2, "application/x-protobuf"
RECONNECT = RetryPolicy(attempts=None, first_backoff_seconds=0.1, max_backoff_seconds=5.0)


def broker_parameters(url: str, name: str) -> list[pika.URLParameters]:
    """One set of connection parameters per comma-separated URL, each naming the connection for the broker's tools."""
    brokers = [pika.URLParameters(each.strip()) for each in url.split(",") if each.strip()]
    if not brokers:
        raise ValueError("no RabbitMQ URL given: set CHIRP_RABBITMQ_URL to amqp://... (several nodes: comma-separated)")
    for parameters in brokers:
        parameters.client_properties = {"connection_name": name}
    return brokers


class RabbitBus:
    def __init__(self, brokers: Sequence[pika.URLParameters], exchange: str, name: str, reconnect: RetryPolicy, timeout: float,
                 queue_type: str = topology.QUORUM):
        self.exchange, self.name, self.timeout, self.queue_type = exchange, name, timeout, queue_type
        self._consumers: list[Consumer] = []
        self._link = Link(brokers, name, reconnect, timeout, self._setup)

    @classmethod
    async def connect(cls, url: str, exchange: str = "chirp.events", name: str = "chirp", reconnect: RetryPolicy = RECONNECT,
                      timeout: float = 10.0, queue_type: str = topology.QUORUM) -> "RabbitBus":
        """Connects (retrying until `timeout`), declares the exchange, and keeps the connection up until `close()`.

        `url` names one broker, or the nodes of a cluster separated by commas (tried in turn).
        `queue_type` ("quorum" or "classic") is the type of every queue the bus declares."""
        bus = cls(broker_parameters(url, name), exchange, name, reconnect, timeout, topology.checked_queue_type(queue_type))
        bus._link.start()
        try:
            await bus._link.wait_ready(timeout, "connect")
        except BaseException:
            await bus.close()
            raise
        return bus

    @property
    def is_connected(self) -> bool:
        return self._link.is_connected

    @property
    def connections(self) -> int:
        """How many times the bus got connected: 1 + the reconnects."""
        return self._link.connections

    async def ping(self) -> None:
        """A round trip to the broker; raises BusUnavailable when not connected or when it does not answer."""
        if not self.is_connected:
            raise BusUnavailable(f"bus {self.name}: not connected to RabbitMQ (last error: {self._link.last_error!r})")
        _, channel = await self._link.wait_ready(0, "ping")
        try:
            await channel.call("exchange_declare", exchange=self.exchange, passive=True)
        except (ChannelLost, TimeoutError) as error:
            raise BusUnavailable(f"bus {self.name}: RabbitMQ did not answer a ping: {error}") from error

    async def publish(self, messages: Sequence[Message], timeout: float | None = None, batch: int = 1) -> None:
        """Sends the messages, then waits until the broker confirmed every one; raises PublishError otherwise.
        `batch` above 1: runs of messages for the same routing key travel up to that many a message (batches.py),
        each with its own span; a PublishError's `unconfirmed` then counts the messages sent, not those given."""
        if not messages:
            return
        timeout = self.timeout if timeout is None else timeout
        with producer_spans([(f"publish {m.routing_key}", m.headers) for m in messages]) as headers:
            carried = [replace(m, headers=h) for m, h in zip(messages, headers)]
            await self._publish(batches.packed(carried, batch) if batch > 1 else carried, timeout)

    async def _publish(self, messages: Sequence[Message], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        _, channel = await self._link.wait_ready(timeout, f"publish {len(messages)} message(s)")
        confirmations = []
        try:
            for message in messages:
                properties = pika.BasicProperties(
                    delivery_mode=PERSISTENT, content_type=CONTENT_TYPE, headers=dict(message.headers),
                    expiration=None if message.expiration_ms is None else str(message.expiration_ms))
                exchange = self.exchange if message.exchange is None else message.exchange
                confirmations.append(channel.publish(exchange, message, properties))
        except Exception as error:  # pika refuses to write on a channel that closed under us
            for confirmation in confirmations:
                confirmation.cancel()
            raise PublishError(f"bus {self.name}: sending failed after {len(confirmations)} of {len(messages)} "
                               f"message(s): {error!r}", list(range(len(messages)))) from error
        _, late = await asyncio.wait(confirmations, timeout=max(0.0, deadline - time.monotonic()))
        for confirmation in late:
            confirmation.cancel()
        failed = [i for i, c in enumerate(confirmations) if c.cancelled() or c.exception() is not None]
        if failed:
            first = confirmations[failed[0]]
            reason = f"no confirm within {timeout}s" if first.cancelled() else str(first.exception())
            raise PublishError(f"bus {self.name}: {len(failed)} of {len(messages)} message(s) not confirmed: {reason}", failed)

    async def consume(self, queue: QueueSpec, handler: Handler, prefetch: int = 10, retry: RetryPolicy = RetryPolicy(),
                      hold_ack_seconds: float = 0.0) -> Consumer:
        """Declares the queue (with its retry and dead-letter queues) and consumes it until `close()`.

        Up to `prefetch` handlers run at once. `hold_ack_seconds` is a test hook only: a pause after the
        handler and before the ack, so a test can kill a worker while it holds an unacked message.
        """
        consumer = Consumer(self, queue, handler, prefetch, retry, hold_ack_seconds)
        self._consumers = [each for each in self._consumers if not each.stopped] + [consumer]
        try:
            connection, _ = await self._link.wait_ready(self.timeout, f"consume {queue.name}")
            await consumer.attach(connection)
        except BaseException:
            self._consumers.remove(consumer)
            raise
        return consumer

    async def queue_depth(self, queue: str) -> int:
        """Ready messages in the queue; LookupError if it does not exist."""
        try:
            return await self._on_spare_channel(lambda channel: topology.queue_depth(channel, queue), f"measure {queue}")
        except ChannelLost as error:
            if error.reply_code == 404:
                raise LookupError(f"queue {queue!r} does not exist on RabbitMQ") from None
            raise

    async def delete(self, queues: Sequence[QueueSpec] = (), exchange: bool = False) -> None:
        """Deletes these queues (each with its retry and dead-letter queue) and, if asked, the exchange."""
        names = [name for queue in queues for name in queue.queues]
        await self._on_spare_channel(lambda channel: topology.delete_queues(channel, names), "delete queues")
        if exchange:
            await self._on_spare_channel(lambda channel: topology.delete_exchange(channel, self.exchange), "delete exchange")

    async def close(self) -> None:
        """Stops the consumers (messages they have not acked are redelivered later), then disconnects."""
        await self._link.stop_reconnecting()
        for consumer in list(self._consumers):
            await consumer.stop()
        await self._link.close()

    def channel_lost(self, connection: Connection, what: str, reason: object) -> None:
        self._link.channel_lost(connection, what, reason)

    async def _setup(self, connection: Connection, channel: Channel) -> None:
        """Runs on every (re)connect, before the bus reports it is connected."""
        await topology.declare_exchange(channel, self.exchange)
        for consumer in list(self._consumers):
            await consumer.attach(connection)

    async def _on_spare_channel(self, operation: Callable[[Channel], Awaitable[T]], what: str) -> T:
        """Runs `operation` on a short-lived channel, so a channel error there cannot disturb publishing."""
        connection, _ = await self._link.wait_ready(self.timeout, what)
        channel = await connection.channel(self.timeout)
        try:
            return await operation(channel)
        finally:
            channel.close()
