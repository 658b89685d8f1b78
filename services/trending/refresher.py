"""Computes rankings from the counts, one replica at a time, about every minute.

Every replica runs the loop; the one that takes the store's lease computes
every wanted window and publishes it, the others read what it published.
The lease lapses on its own, so a replica that dies mid-refresh holds the
others back for LEASE_MS at most. A window's baseline (its distinct authors
one window earlier) comes from the counts the refresh kept at that time;
before any were kept, from the authors last seen in the window before, a
lower bound (documented in docs/architecture.md).
"""

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Callable

from services.common.runtime.concurrency import cancel_and_wait
from services.common.runtime.tracing import untraced
from services.common.telemetry import metrics
from services.trending.domain import (
    DEFAULT_WINDOW_MINUTES,
    MAX_RANKED,
    MIN_AUTHORS,
    MINUTE_MS,
    RETENTION_MINUTES,
    Ranking,
    TagCounts,
    Trend,
    decayed,
    growth_score,
    snapshot_step,
)
from services.trending.ports import TrendStore

log = logging.getLogger("chirp.trending")

LEASE_MS = 20_000
WANTED_FOR_MS = 60 * MINUTE_MS  # a window asked for is kept current this long after the last request
MAX_WINDOWS = 8  # windows refreshed besides the default: the most recently asked for


class Refresher:
    def __init__(self, store: TrendStore, clock: Callable[[], int], refresh_ms: int = 30_000, owner: str = ""):
        self._store, self._clock, self.refresh_ms = store, clock, refresh_ms
        self.owner = owner or uuid.uuid4().hex
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()
        self._refreshing = asyncio.Lock()  # the lease is the replica's: one refresh at a time within it too

    async def refresh_if_due(self) -> bool:
        """Refreshes every wanted window when the default ranking is older than refresh_ms and the lease is free."""
        current = await self._store.ranking(DEFAULT_WINDOW_MINUTES)
        if current is not None and self._clock() - current.refreshed_ms < self.refresh_ms:
            return False
        return await self.refresh()

    async def refresh(self, windows: list[int] | None = None) -> bool:
        """Computes and publishes the windows (every wanted one by default); False when another replica holds the lease."""
        async with self._refreshing:
            if not await self._store.acquire(self.owner, LEASE_MS):
                return False
            try:
                now = self._clock()
                with metrics.TREND_REFRESH.time():
                    for window in windows or await self._wanted(now):
                        await self._store.publish(await self.compute(window, now))
                    await self._store.expire(now // MINUTE_MS - RETENTION_MINUTES)
            finally:
                await self._store.release(self.owner)
            return True

    async def _wanted(self, now: int) -> list[int]:
        asked = await self._store.wanted_windows(now - WANTED_FOR_MS)
        return [DEFAULT_WINDOW_MINUTES, *[w for w in asked if w != DEFAULT_WINDOW_MINUTES][:MAX_WINDOWS]]

    async def compute(self, window: int, now: int, keep: bool = True) -> Ranking:
        """The ranking over the window at now; keep: also keep the counts as a later baseline (lease holders only)."""
        minute = now // MINUTE_MS
        tags = await self._store.active_tags(minute - window + 1)
        counts = await self._store.counts(tags, minute - window + 1)
        baseline = await self._baseline(window, minute, tags)
        if keep:
            await self._keep_baseline(window, minute, {t: c.authors for t, c in zip(tags, counts) if c.authors})
        previous = await self._store.ranking(window)
        carried = {t.tag: decayed(t.score, now - previous.refreshed_ms, window) for t in previous.trends} if previous else {}
        trends = [_trend(tag, c, baseline.get(tag, 0), carried.get(tag, 0.0)) for tag, c in zip(tags, counts)]
        ranked = sorted((t for t in trends if t.score > 0), key=lambda t: (-t.score, -t.authors, t.tag))
        return Ranking(window, now, tuple(ranked[:MAX_RANKED]))

    async def _baseline(self, window: int, minute: int, tags: list[str]) -> dict[str, int]:
        """Distinct authors per tag in the window that ended one window ago."""
        then = minute - window
        # two steps back: one refresh missed (a failed tick, the lease moving) must not leave a steady tag no baseline
        kept = [m for m in await self._store.baseline_minutes(window) if then - 2 * snapshot_step(window) < m <= then]
        if kept:
            return await self._store.baseline(window, max(kept))
        lower = await self._store.authors_last_seen(tags, then - window + 1, then)
        return dict(zip(tags, lower))

    async def _keep_baseline(self, window: int, minute: int, authors: dict[str, int]) -> None:
        step = snapshot_step(window)
        if any(m > minute - step for m in await self._store.baseline_minutes(window)):
            return
        await self._store.save_baseline(window, minute, authors, keep_from_minute=minute - window - 2 * step)

    def start(self) -> None:
        """Checks every 5 seconds (or half the refresh interval, when shorter) whether a refresh is due."""
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(min(5.0, self.refresh_ms / 2000)))

    async def stop(self) -> None:
        """Stops the loop, even when a Redis call it was cancelled in turned the cancellation into an error."""
        if self._task is not None:
            self._stopping.set()
            await cancel_and_wait(self._task)
            self._task = None

    async def _run(self, tick_seconds: float) -> None:
        while not self._stopping.is_set():
            try:
                with untraced():
                    await self.refresh_if_due()
            except Exception:  # a lost Redis: try again next tick
                if not self._stopping.is_set():
                    log.exception("trending refresh failed; retrying in %.0f s", tick_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), tick_seconds * random.uniform(0.8, 1.2))


def _trend(tag: str, counts: TagCounts, expected: int, carried: float) -> Trend:
    score = growth_score(counts.authors, expected)
    if counts.authors >= MIN_AUTHORS:
        score = max(score, carried)
    return Trend(tag, score, counts.authors, expected, counts.tweets)
