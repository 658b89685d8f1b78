"""Who consumes which events, on the bus the settings choose.

Embedded: each consuming service drains each outbox in process, in
commit order (OutboxConsumer). RabbitMQ: every outbox has a relay to the
topic exchange; every consuming service has a durable queue bound to the
events it handles; fan-out chunks have a queue of their own, shared by
every fanout worker. A service whose replicas each hold everything
(Search: the whole index) has a queue per replica instead, so every
replica gets every event. Either way delivery is at-least-once and every
handler is idempotent.
"""

from collections.abc import Awaitable, Callable, Sequence

from services.common.kernel.errors import Unavailable
from services.common.kernel.events import Event
from services.common.messaging import codec as event_codec
from services.common.messaging.outbox.consumer import BatchHandler, OutboxBatchConsumer, OutboxConsumer, OutboxReader
from services.common.messaging.outbox.relay import Batching, OutboxRelay
from services.common.messaging.outbox.store import OutboxStore, QueueStats
from services.common.messaging.rabbitmq.bus import QueueSpec, RabbitBus
from services.common.messaging.rabbitmq.consumer import Consumer
from services.common.messaging.retry import RetryPolicy
from services.common.runtime.fault_hooks import FaultHooks
from services.common.storage.leases import LeaseKeeper, new_holder
from services.fanout.adapters import rabbitmq_chunks
from services.fanout.adapters.rabbitmq_chunks import RabbitChunkQueue
from services.fanout.domain import Chunk
from services.registry import SERVICES, entry

EventHandler = Callable[[Event], Awaitable[None]]
CHUNKS = "fanout.chunks"


def queue_of(service: str, replica: int = 0) -> str:
    """A consuming service's event queue, under the namespace: shared by its replicas, or one per replica."""
    return f"{service}.{replica}.events" if entry(service).queue_per_replica else f"{service}.events"


QUEUES = (  # every queue the mesh declares, under its namespace
    *(queue_of(e.name, r) for e in SERVICES if e.consumes for r in range(e.replicas if e.queue_per_replica else 1)),
    CHUNKS,
)


class EmbeddedFlow:
    def __init__(self, outboxes: Sequence[OutboxStore], retry: RetryPolicy = RetryPolicy()):
        self._outboxes, self._retry = outboxes, retry
        self.readers: dict[str, list[OutboxReader]] = {}

    def consume(self, service: str, handler: EventHandler) -> None:
        """Delivers the events the registry says the service consumes (here: all, to an idempotent handler)."""
        self.readers[service] = [OutboxConsumer(outbox, service, handler, self._retry) for outbox in self._outboxes]

    def consume_batches(self, service: str, handler: BatchHandler, batch_size: int) -> None:
        """Delivers whole batches, for a handler that commits each as one (an index)."""
        self.readers[service] = [OutboxBatchConsumer(outbox, service, handler, batch_size, self._retry) for outbox in self._outboxes]

    def consume_chunks(self, apply: Callable[[Chunk], Awaitable[None]]) -> None:
        """Chunks are applied where they are made: there is nothing to consume."""

    def chunk_queue(self) -> None:
        return None

    async def stats(self, service: str) -> QueueStats:
        parts = [await reader.stats() for reader in self.readers.get(service, [])]
        return _sum(parts)

    async def pending(self) -> int:
        return sum([(await r.stats()).depth for readers in self.readers.values() for r in readers])

    def consuming(self) -> list[str]:
        """The services that consume here, each a queue of its own."""
        return list(self.readers)

    async def unpublished(self) -> int:
        return 0  # nothing to publish: consumers read the outboxes themselves

    async def start(self) -> None:
        for reader in _all(self.readers):
            await reader.start()

    async def stop(self) -> None:
        for reader in _all(self.readers):
            await reader.stop()


class RabbitFlow:
    def __init__(self, bus: RabbitBus, outboxes: Sequence[OutboxStore], namespace: str, prefetch: int,
                 retry: RetryPolicy, hooks: FaultHooks = FaultHooks(), replica: int = 0, holder: str = "relay",
                 lease_seconds: float = 5.0, batching: Batching = Batching()):
        self._bus, self._namespace, self._prefetch, self._retry, self._replica = bus, namespace, prefetch, retry, replica
        self._hold_ack_seconds = hooks.hold_ack_ms / 1000
        self.relays = [OutboxRelay(outbox, bus, hooks.relay_hold_ms / 1000, _keeper(outbox, holder, lease_seconds), batching)
                       for outbox in outboxes]
        self._wanted: dict[str, tuple[QueueSpec, Callable, int]] = {}
        self.consumers: dict[str, Consumer] = {}

    def consume(self, service: str, handler: EventHandler, prefetch: int | None = None) -> None:
        """Binds the service's queue to the events the registry says it consumes."""
        consumer = entry(service)
        bound, unbound = event_codec.bindings(consumer.consumes, consumer.addressed_posts_only)
        spec = QueueSpec(f"{self._namespace}.{queue_of(service, self._replica)}", bound, unbound)
        self._wanted[service] = (spec, lambda body, headers: handler(event_codec.decode(body)), prefetch or self._prefetch)

    def consume_chunks(self, apply: Callable[[Chunk], Awaitable[None]]) -> None:
        spec = QueueSpec(f"{self._namespace}.{CHUNKS}", [rabbitmq_chunks.CHUNK_ROUTING_KEY])
        self._wanted[CHUNKS] = (spec, lambda body, headers: apply(rabbitmq_chunks.decode(body)), self._prefetch)

    def chunk_queue(self) -> RabbitChunkQueue:
        return RabbitChunkQueue(self._bus)

    async def stats(self, service: str) -> QueueStats:
        """The service's queues: ready messages, dead letters, redeliveries (waiting time is not measured: 0)."""
        names = [n for n in self.consumers if n == service or n.startswith(f"{service}.")]
        try:
            depth = sum([await self._bus.queue_depth(self.consumers[n].queue.name) for n in names])
            dead = sum([await self._bus.queue_depth(self.consumers[n].queue.dead_queue) for n in names])
        except (ConnectionError, TimeoutError, LookupError) as error:
            raise Unavailable(f"RabbitMQ could not report the {service} queues ({error}); try again shortly") from None
        redelivered = sum(self.consumers[n].stats.redelivered for n in names)
        return QueueStats(depth, 0.0, dead, redelivered)

    async def pending(self) -> int:
        """Events not yet published, messages waiting in a queue or its retry queue, and handlers running."""
        unpublished = await self.unpublished()
        queued = 0
        for consumer in self.consumers.values():
            queued += await self._bus.queue_depth(consumer.queue.name)
            queued += await self._bus.queue_depth(consumer.queue.retry_queue) + consumer.in_flight
        return unpublished + queued

    def consuming(self) -> list[str]:
        """The services that consume here (a service's stats include its chunk queue)."""
        return [name for name in self.consumers if name != CHUNKS]

    async def unpublished(self) -> int:
        """Events committed to this process's outboxes that the relays have not yet published."""
        return sum([(await relay.stats()).depth for relay in self.relays])

    async def start(self) -> None:
        for relay in self.relays:
            await relay.start()
        for service, (spec, handler, prefetch) in self._wanted.items():
            self.consumers[service] = await self._bus.consume(spec, handler, prefetch, self._retry, self._hold_ack_seconds)

    async def stop(self) -> None:
        for consumer in self.consumers.values():
            await consumer.stop()
        for relay in self.relays:
            await relay.stop()


def _keeper(outbox: OutboxStore, holder: str, lease_seconds: float) -> LeaseKeeper | None:
    lease = outbox.relay_lease(new_holder(holder), lease_seconds)
    return LeaseKeeper(lease) if lease is not None else None


def _all(readers: dict[str, list[OutboxReader]]) -> list[OutboxReader]:
    return [reader for group in readers.values() for reader in group]


def _sum(parts: list[QueueStats]) -> QueueStats:
    if not parts:
        return QueueStats(0, 0.0, 0)
    return QueueStats(
        sum(p.depth for p in parts),
        max(p.oldest_pending_age_seconds for p in parts),
        sum(p.dead_letters for p in parts),
        sum(p.redeliveries for p in parts),
    )
