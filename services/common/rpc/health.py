"""Health that follows the dependencies: NOT_SERVING while one is unreachable, SERVING when it returns.

Each process names the servers it can't work without (PostgreSQL,
Redis, RabbitMQ) with a check that raises when the server can't be
reached. A monitor runs the checks on an interval and sets every service
the process hosts, and the overall "" entry, to match; no restart needed.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from grpc_health.v1 import health, health_pb2

from services.common.runtime.concurrency import cancel_and_wait, stop_if_cancelled
from services.common.runtime.tracing import untraced

log = logging.getLogger("chirp.health")

Check = Callable[[], Awaitable[object]]
CHECK_TIMEOUT_SECONDS = 2.0


class DependencyMonitor:
    def __init__(self, checks: dict[str, Check], interval_seconds: float):
        self._checks = checks
        self._interval = interval_seconds
        self._task: asyncio.Task | None = None
        self.unreachable: set[str] = set()

    def start(self, servicer: health.aio.HealthServicer, service_names: Sequence[str]) -> None:
        self._task = asyncio.create_task(self._watch(servicer, ["", *service_names]), name="dependency-monitor")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)

    async def check_once(self) -> set[str]:
        """Runs every check at once; returns the names of the dependencies that failed."""
        names = list(self._checks)
        results = await asyncio.gather(*(self._probe(self._checks[n]) for n in names))
        return {name for name, ok in zip(names, results) if not ok}

    async def _watch(self, servicer: health.aio.HealthServicer, names: list[str]) -> None:
        while True:
            with untraced():
                unreachable = await self.check_once()
            if unreachable != self.unreachable:
                if unreachable:
                    log.warning("NOT_SERVING: cannot reach %s", ", ".join(sorted(unreachable)))
                else:
                    log.info("SERVING: every dependency answers again")
                status = health_pb2.HealthCheckResponse.NOT_SERVING if unreachable else health_pb2.HealthCheckResponse.SERVING
                for name in names:
                    await servicer.set(name, status)
                self.unreachable = unreachable
            await asyncio.sleep(self._interval)

    @staticmethod
    async def _probe(check: Check) -> bool:
        try:
            await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
            return True
        except Exception as error:
            stop_if_cancelled(error)
            return False
