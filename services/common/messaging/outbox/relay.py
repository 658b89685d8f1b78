"""The relay: publishes a service's outbox to RabbitMQ, in order, in confirmed batches.

The offset moves past a batch only once the broker has confirmed every
message in it, and publishing is retried for as long as it takes (RabbitMQ
down or restarting): no event is ever skipped. A crash after the confirms
and before the offset is saved publishes that batch again, so delivery is
at-least-once and consumers are idempotent. Each message carries the
trace context stored with its event.
"""

import asyncio

from services.common.messaging.codec import routing_key_of
from services.common.messaging.outbox.consumer import OutboxReader
from services.common.messaging.outbox.store import OutboxStore, StoredEvent
from services.common.messaging.rabbitmq.bus import Message, RabbitBus
from services.common.messaging.retry import RetryPolicy, with_retries

FOREVER = RetryPolicy(attempts=None, first_backoff_seconds=0.1, max_backoff_seconds=5.0)


class OutboxRelay(OutboxReader):
    def __init__(self, store: OutboxStore, bus: RabbitBus, hold_seconds: float = 0.0):
        super().__init__(store, "relay")
        self._bus = bus
        self._hold_seconds = hold_seconds  # test hook: widens the window between commit and publish

    async def deliver(self, batch: list[StoredEvent]) -> None:
        if self._hold_seconds:
            await asyncio.sleep(self._hold_seconds)
        messages = [Message(routing_key_of(e.payload), e.payload, e.headers) for e in batch]
        await with_retries(lambda: self._bus.publish(messages), FOREVER, f"relay of {len(messages)} events")
