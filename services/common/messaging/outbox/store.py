"""What an outbox store holds and offers, whichever database it lives in."""

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from services.common.kernel.events import Event
from services.common.messaging import codec as event_codec
from services.common.runtime.tracing import current_trace_headers


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    payload: bytes
    headers: dict[str, str]  # trace context captured when the event was stored


@dataclass(frozen=True)
class QueueStats:
    depth: int
    oldest_pending_age_seconds: float
    dead_letters: int
    redeliveries: int = 0


class CommitSignal:
    """Wakes an outbox's readers in this process when a commit has added events to it."""

    def __init__(self) -> None:
        self._listeners: list[asyncio.Event] = []

    def notify(self) -> None:
        for listener in self._listeners:
            listener.set()

    def listen(self) -> asyncio.Event:
        listener = asyncio.Event()
        self._listeners.append(listener)
        return listener


def outbox_rows(events: Iterable[Event], created_at: object) -> list[tuple[bytes, str, object]]:
    """The rows to store: each encoded event, the trace context current at commit, and the time."""
    headers = json.dumps(current_trace_headers())
    return [(event_codec.encode(event), headers, created_at) for event in events]


class OutboxStore(Protocol):
    """Where the outbox lives (SQLite or PostgreSQL), as its consumers see it."""

    def listen(self) -> asyncio.Event:
        """An event set whenever new rows are committed in this process."""

    async def pending(self, after: int, limit: int) -> list[StoredEvent]: ...

    async def unread(self, consumer: str, limit: int) -> list[StoredEvent]:
        """`pending` after the consumer's `offset`, in one round trip."""

    async def offset(self, consumer: str) -> int: ...

    async def save_offset(self, consumer: str, seq: int) -> None: ...

    async def dead_letter(self, consumer: str, seq: int, error: str) -> None: ...

    async def stats(self, consumer: str) -> QueueStats: ...

    def relay_lease(self, holder: str, ttl_seconds: float):
        """The Lease a relay must hold to publish this outbox, or None when there is no other process to share it with."""
