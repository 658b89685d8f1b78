"""What the SQLite and PostgreSQL outboxes share: the same tables, read and written with the same SQL.

The two databases differ in how a statement names its parameters (`?` or
`$1`), how a store runs SQL and opens a transaction, and how it keeps a
time; each store supplies those, and this class does the rest.
"""

import json
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from services.common.kernel.events import Event
from services.common.messaging.outbox.store import CommitSignal, QueueStats, StoredEvent
from services.common.storage.leases import Lease

T = TypeVar("T")


@dataclass(frozen=True)
class OutboxSql:
    """The statements both stores run, with parameters named in one database's style."""

    insert: str
    pending: str
    unread: str
    offset: str
    save_offset: str
    depth: str
    dead_letters: str

    @classmethod
    def named_by(cls, parameter: Callable[[int], str]) -> "OutboxSql":
        """The statements with their nth parameter written as `parameter(n)`."""
        one, two, three = parameter(1), parameter(2), parameter(3)
        return cls(
            insert=f"INSERT INTO outbox (payload, headers, created_at) VALUES ({one}, {two}, {three})",
            pending=f"SELECT seq, payload, headers FROM outbox WHERE seq > {one} ORDER BY seq LIMIT {two}",
            unread=(
                "SELECT seq, payload, headers FROM outbox "
                f"WHERE seq > COALESCE((SELECT seq FROM outbox_offsets WHERE consumer = {one}), 0) ORDER BY seq LIMIT {two}"
            ),
            offset=f"SELECT seq FROM outbox_offsets WHERE consumer = {one}",
            save_offset=(
                f"INSERT INTO outbox_offsets VALUES ({one}, {two}) "
                "ON CONFLICT (consumer) DO UPDATE SET seq = CASE WHEN excluded.seq > outbox_offsets.seq "
                "THEN excluded.seq ELSE outbox_offsets.seq END"  # never back: a relay that lost its lease saves late
            ),
            depth=(
                "SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM outbox "
                f"WHERE seq > COALESCE((SELECT seq FROM outbox_offsets WHERE consumer = {one}), 0)"
            ),
            dead_letters=f"SELECT COUNT(*) AS n FROM outbox_dead_letters WHERE consumer = {one}",
        )


class SqlOutbox(CommitSignal, ABC):
    """An outbox in a SQL database, as its writers and its consumers use it."""

    sql: OutboxSql

    async def write(self, work: Callable[[Any], Awaitable[T]]) -> T:
        """Runs work (which appends its events) in one transaction; once it has committed, wakes the consumers."""
        result = await self._in_transaction(work)
        self.notify()
        return result

    async def pending(self, after: int, limit: int) -> list[StoredEvent]:
        return _stored(await self._fetch_all(self.sql.pending, after, limit))

    async def unread(self, consumer: str, limit: int) -> list[StoredEvent]:
        """The pending rows past the consumer's saved offset: its offset and its next batch in one query."""
        return _stored(await self._fetch_all(self.sql.unread, consumer, limit))

    async def offset(self, consumer: str) -> int:
        row = await self._fetch_one(self.sql.offset, consumer)
        return row["seq"] if row else 0

    async def save_offset(self, consumer: str, seq: int) -> None:
        await self._execute(self.sql.save_offset, consumer, seq)

    async def stats(self, consumer: str) -> QueueStats:
        queue = await self._fetch_one(self.sql.depth, consumer)
        dead = await self._fetch_one(self.sql.dead_letters, consumer)
        age = self._seconds_since(queue["oldest"]) if queue["oldest"] is not None else 0.0
        return QueueStats(queue["depth"], max(age, 0.0), dead["n"])

    def relay_lease(self, holder: str, ttl_seconds: float) -> Lease | None:
        """The lease that makes one relay at a time publish this outbox; None where one process owns it."""
        return None

    @abstractmethod
    async def append(self, connection, events: Iterable[Event]) -> None:
        """Stores events inside the transaction that `write` runs, on its connection."""

    @abstractmethod
    async def dead_letter(self, consumer: str, seq: int, error: str) -> None: ...

    @abstractmethod
    async def _in_transaction(self, work: Callable[[Any], Awaitable[T]]) -> T:
        """Runs work on a connection inside a write transaction, and commits."""

    @abstractmethod
    async def _fetch_all(self, sql: str, *args) -> list: ...

    @abstractmethod
    async def _fetch_one(self, sql: str, *args): ...

    @abstractmethod
    async def _execute(self, sql: str, *args) -> None:
        """Runs one statement that writes, committed on its own."""

    @abstractmethod
    def _seconds_since(self, stored_time) -> float:
        """How long ago a time read from the outbox was."""


def _stored(rows: Iterable) -> list[StoredEvent]:
    return [StoredEvent(row["seq"], row["payload"], json.loads(row["headers"])) for row in rows]
