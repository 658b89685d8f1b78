"""The transactional outbox: events stored with the change they describe, drained in order.

A service appends its events in the same transaction as the state change,
so an event is stored exactly when the change is. A consumer (an embedded
handler, or the relay to RabbitMQ) keeps its own offset in the store and
advances it only after its work is done: delivery is at-least-once and
survives a crash or a restart, so handlers must be idempotent. An event
whose handler keeps failing is retried with backoff (an outage for longer:
retry.py), then set aside as a dead letter; a consumer with unbounded
retries (the relay) never skips one.
"""

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

from services.common.kernel.events import Event
from services.common.messaging import codec as event_codec
from services.common.messaging.outbox.store import OutboxStore, QueueStats, StoredEvent
from services.common.messaging.retry import RetryPolicy, described, with_retries
from services.common.runtime.concurrency import cancel_and_wait, stop_if_cancelled
from services.common.runtime.tracing import untraced
from services.common.telemetry import metrics

log = logging.getLogger("chirp.outbox")

Handler = Callable[[Event], Awaitable[None]]


class OutboxReader(ABC):
    """Drains one outbox, in order, in batches: each batch goes to `deliver`, then the offset moves past it."""

    def __init__(self, store: OutboxStore, name: str):
        self._store, self.name = store, name
        self._wakeup = store.listen()
        self._task: asyncio.Task | None = None
        self.batch_size = 100
        self.poll_seconds = 1.0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-consumer-{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)

    async def stats(self) -> QueueStats:
        return await self._store.stats(self.name)

    async def drain_once(self) -> int:
        """Handles the next batch of pending events; returns how many there were."""
        with untraced():
            batch = await self._store.unread(self.name, self.batch_size)
        if batch:
            await self.deliver(batch)
            with untraced():
                await self._store.save_offset(self.name, batch[-1].seq)  # a crash redelivers at most one batch
        return len(batch)

    @abstractmethod
    async def deliver(self, batch: list[StoredEvent]) -> None:
        """Does the batch's work; returns only when it is done (or set aside)."""

    async def _run(self) -> None:
        while True:
            self._wakeup.clear()  # before reading: a commit during the read wakes the next wait
            try:
                if await self.drain_once() >= self.batch_size:
                    continue  # more may be waiting; a smaller batch was all there was, so a commit since wakes the wait
            except Exception as error:
                stop_if_cancelled(error)
                log.exception("consumer %s failed to read the outbox; retrying", self.name)
            try:
                await asyncio.wait_for(self._wakeup.wait(), self.poll_seconds)
            except TimeoutError:
                pass


class OutboxConsumer(OutboxReader):
    """Hands each event, in order, to an in-process handler (the embedded bus)."""

    def __init__(self, store: OutboxStore, name: str, handler: Handler, retry: RetryPolicy = RetryPolicy()):
        super().__init__(store, name)
        self._handler, self._retry = handler, retry

    async def deliver(self, batch: list[StoredEvent]) -> None:
        for stored in batch:
            event = event_codec.decode(stored.payload)
            error = await with_retries(lambda: self._handler(event), self._retry, f"consumer {self.name}: event {stored.seq}")
            if error is not None:
                log.error("consumer %s: event %s failed, set aside as a dead letter: %s", self.name, stored.seq, described(error))
                await self._store.dead_letter(self.name, stored.seq, described(error))
                metrics.dead_lettered(self.name)


BatchHandler = Callable[[list[Event]], Awaitable[list[tuple[int, str]]]]


class OutboxBatchConsumer(OutboxReader):
    """Hands each batch, whole, to a handler that commits it as one (a search index) and returns the
    events it set aside (their places in the batch, and why), which become dead letters."""

    def __init__(self, store: OutboxStore, name: str, handler: BatchHandler, batch_size: int, retry: RetryPolicy = RetryPolicy()):
        super().__init__(store, name)
        self._handler, self._retry, self.batch_size = handler, retry, batch_size

    async def deliver(self, batch: list[StoredEvent]) -> None:
        events = [event_codec.decode(stored.payload) for stored in batch]
        aside: list[tuple[int, str]] = []

        async def attempt() -> None:
            aside[:] = await self._handler(events)

        error = await with_retries(attempt, self._retry, f"consumer {self.name}: events {batch[0].seq} to {batch[-1].seq}")
        if error is not None:
            aside = [(place, described(error)) for place in range(len(batch))]
        for place, why in aside:
            log.error("consumer %s: event %s set aside as a dead letter: %s", self.name, batch[place].seq, why)
            await self._store.dead_letter(self.name, batch[place].seq, why)
            metrics.dead_lettered(self.name)
