"""The relay: publishes a service's outbox to RabbitMQ, in order, in confirmed batches.

The offset moves past a batch only once the broker has confirmed every
message in it, and publishing is retried for as long as it takes (RabbitMQ
down or restarting) while the relay holds its lease: no event is ever
skipped. A relay whose lease lapses mid-batch gives the batch up to the new
holder, which publishes from the saved offset; a saved offset never moves
back, so a late save cannot replay what the holder already published. A crash after the confirms
and before the offset is saved publishes that batch again, so delivery is
at-least-once and consumers are idempotent. Each message carries the
trace context stored with its event.

Each batch goes out as few messages as `Batching` lets it: a run of
events with the same routing key travels as one, up to `events` of them
(rabbitmq/batches.py). A relay that finds the outbox drained waits
`linger_seconds` after the next commit wakes it, so that on a busy outbox
the events of that short while share the messages, and the broker and
every consumer take one message where they took many. `events` 1 sends
each event alone, as consumers older than batches need.

Several replicas of a service share its outbox, and only one relays it at
a time: the holder of the outbox's lease (services/common/storage/leases.py),
renewed every third of its ttl. The others wait, trying to take it every
second; one that dies stops renewing, so another takes over within the ttl
(at once when a relay stops cleanly and releases it). A lease, rather than
claiming rows with FOR UPDATE SKIP LOCKED, keeps the outbox published in
order by one publisher; rather than a session advisory lock, it works over
pooled connections, survives a failover of the database, and lapses by
itself when its holder is cut off instead of waiting for TCP to notice.
Without a lease (SQLite: one process), the relay is always active.
"""

import asyncio
from dataclasses import dataclass

from services.common.messaging.codec import routing_key_of
from services.common.messaging.outbox.consumer import OutboxReader
from services.common.messaging.outbox.store import OutboxStore, StoredEvent
from services.common.messaging.rabbitmq.batches import MAX_EVENTS
from services.common.messaging.rabbitmq.bus import Message, RabbitBus
from services.common.messaging.retry import RetryPolicy, with_retries
from services.common.storage.leases import LeaseKeeper

ROUND = RetryPolicy(attempts=5, first_backoff_seconds=0.1, max_backoff_seconds=5.0, outage_seconds=0)  # then the lease is checked again


@dataclass(frozen=True)
class Batching:
    events: int = MAX_EVENTS  # at most this many events a message; 1: each alone
    linger_seconds: float = 0.0


class LeaseLost(Exception):
    """The relay stopped holding the outbox's lease while it published a batch."""


class OutboxRelay(OutboxReader):
    def __init__(self, store: OutboxStore, bus: RabbitBus, hold_seconds: float = 0.0, keeper: LeaseKeeper | None = None,
                 batching: Batching = Batching()):
        super().__init__(store, "relay")
        self._bus, self._keeper = bus, keeper
        self._hold_seconds = hold_seconds  # test hook: widens the window between commit and publish
        self._batching, self._backlog = batching, False

    def active(self) -> bool:
        """Whether this relay publishes now (it holds the outbox's lease, or there is none)."""
        return self._keeper is None or self._keeper.lease.held()

    async def start(self) -> None:
        if self._keeper is not None:
            self._keeper.start()
        await super().start()

    async def stop(self) -> None:
        await super().stop()
        if self._keeper is not None:
            await self._keeper.stop()  # releases the lease: a waiting replica takes over at once

    async def drain_once(self) -> int:
        if not self.active():
            return 0
        if self._batching.linger_seconds and not self._backlog:
            await asyncio.sleep(self._batching.linger_seconds)  # the events committed meanwhile join this batch
        drained = await super().drain_once()
        self._backlog = drained == self.batch_size  # more are waiting: no reason to linger
        return drained

    async def deliver(self, batch: list[StoredEvent]) -> None:
        if self._hold_seconds:
            await asyncio.sleep(self._hold_seconds)
        messages = [Message(routing_key_of(e.payload), e.payload, e.headers) for e in batch]

        async def publish() -> None:
            if not self.active():
                raise LeaseLost(f"the outbox's lease lapsed; {len(messages)} events are left to its holder")
            await self._bus.publish(messages, batch=self._batching.events)

        # Until published, or until the lease lapses meanwhile (a long broker outage): the new holder
        # publishes from the saved offset, so this one must not publish the batch late, out of order.
        while (error := await with_retries(publish, ROUND, f"relay of {len(messages)} events")) is not None:
            if isinstance(error, LeaseLost) or not self.active():
                raise LeaseLost(str(error)) from error
