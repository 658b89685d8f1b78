"""What a process shows Prometheus beyond its RPCs: its /metrics endpoint, and its event flow's gauges.

The endpoint listens on CHIRP_METRICS_LISTEN; by default on the gRPC
host at the gRPC port + 1000 (51051 for `make run`), or on a free port
when that one is taken, so processes started side by side never clash.
The gauges (queue depth, oldest waiting event, dead letters, outbox
backlog) are read from the flow every few seconds, not on each scrape:
a scrape runs on another thread, and the flow lives on the event loop.
"""

import asyncio
import contextlib

from services.common.runtime.concurrency import cancel_and_wait
from services.common.runtime.config import Settings
from services.common.runtime.tracing import untraced
from services.common.telemetry.metrics import OUTBOX_BACKLOG, QUEUE_DEAD, QUEUE_DEPTH, QUEUE_OLDEST, start_metrics_server
from services.mesh.wiring import EventFlow

SAMPLE_SECONDS = 2.0


def start_metrics(settings: Settings, grpc_port: int) -> str | None:
    """Serves /metrics; its address, or None when CHIRP_METRICS_LISTEN=off."""
    return start_metrics_server(settings.metrics_listen, settings.listen.rsplit(":", 1)[0], grpc_port)


class FlowGauges:
    def __init__(self, flow: EventFlow, interval_seconds: float = SAMPLE_SECONDS):
        self._flow, self._interval = flow, interval_seconds
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="flow-gauges")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)

    async def sample(self) -> None:
        for service in self._flow.consuming():
            stats = await self._flow.stats(service)
            QUEUE_DEPTH.labels(service).set(stats.depth)
            QUEUE_OLDEST.labels(service).set(stats.oldest_pending_age_seconds)
            QUEUE_DEAD.labels(service).set(stats.dead_letters)
        OUTBOX_BACKLOG.set(await self._flow.unpublished())

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(Exception), untraced():  # a broker away for a moment: the gauges keep their last values
                await self.sample()
            await asyncio.sleep(self._interval)
