"""Leases in PostgreSQL: a named right, held by one process at a time, that lapses unless renewed.

This module owns the `leases` table of every schema that has one. A lease
row names its holder and when it expires, by the database's clock, so the
processes' clocks never have to agree. Taking a lease succeeds when nobody
holds it, when its holder let it expire, or when the taker already holds
it (that is a renewal); releasing it lets the next taker in at once.

A holder counts its lease as held only until `ttl` after it *asked* for the
last renewal (a monotonic deadline, never later than the row's expiry), so
by the time anyone else can take the lease, the old holder has already
stopped counting on it, unless it was paused for longer than that.
"""

import asyncio
import logging
import time
import uuid

from services.common.runtime.concurrency import cancel_and_wait, stop_if_cancelled
from services.common.runtime.tracing import untraced
from services.common.storage.postgres import PostgresDatabase

log = logging.getLogger("chirp.leases")

MIGRATION = """
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);
"""

_TAKE = (
    "INSERT INTO leases VALUES ($1, $2, now() + make_interval(secs => $3)) "
    "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at "
    "WHERE leases.holder = excluded.holder OR leases.expires_at < now() RETURNING holder"
)
_RELEASE = "DELETE FROM leases WHERE name = $1 AND holder = $2"
_HOLDER = "SELECT holder FROM leases WHERE name = $1 AND expires_at >= now()"


def new_holder(label: str) -> str:
    """A name no other process (nor this one's earlier life) shares."""
    return f"{label}:{uuid.uuid4().hex[:12]}"


class Lease:
    """One named lease as one holder sees it: take it, keep it, and know whether it still counts."""

    def __init__(self, db: PostgresDatabase, name: str, holder: str, ttl_seconds: float):
        self._db, self.name, self.holder, self.ttl = db, name, holder, ttl_seconds
        self._deadline = 0.0  # monotonic: until when this process may count on the lease

    def held(self) -> bool:
        return time.monotonic() < self._deadline

    async def take(self) -> bool:
        """Takes or renews the lease; True when this process holds it now."""
        asked_at = time.monotonic()
        try:
            taken = await self._db.fetch_one(_TAKE, self.name, self.holder, self.ttl) is not None
        except Exception as error:  # the database unreachable: the lease runs out by itself
            stop_if_cancelled(error)
            log.warning("lease %s: could not reach the database to renew it (%s)", self.name, error)
            return self.held()
        was_held, self._deadline = self.held(), asked_at + self.ttl if taken else 0.0
        if was_held and not taken:
            log.error("lease %s: taken over by another process; %s stops counting on it", self.name, self.holder)
        return taken

    async def release(self) -> None:
        self._deadline = 0.0
        try:
            await self._db.execute(_RELEASE, self.name, self.holder)
        except Exception as error:
            log.warning("lease %s: could not release it (%s); it expires within %s s", self.name, error, self.ttl)

    async def current_holder(self) -> str | None:
        row = await self._db.fetch_one(_HOLDER, self.name)
        return row["holder"] if row else None


class LeaseKeeper:
    """Renews a lease in the background, every third of its ttl, and tries to take it while another holds it."""

    def __init__(self, lease: Lease, retry_seconds: float = 1.0):
        self.lease, self._retry = lease, retry_seconds
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"lease-{self.lease.name}")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
        await self.lease.release()

    async def _run(self) -> None:
        with untraced():  # renewals are housekeeping: none starts a trace
            while True:
                was_held = self.lease.held()
                if await self.lease.take() and not was_held:
                    log.info("lease %s: held by %s", self.lease.name, self.lease.holder)
                await asyncio.sleep(self.lease.ttl / 3 if self.lease.held() else self._retry)
