"""One way to build, run and stop a gRPC server, shared by every service.

Every server offers grpc.health.v1 and server reflection (v1 and
v1alpha), serves every unary call through one layer (served.py: it verifies
access tokens, where without an authenticator every call is anonymous so
nothing can act for a user; maps domain errors to statuses; counts and
times calls; traces them when on), caps request size, and stops gracefully on SIGTERM.
"""

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from services.common.rpc.auth import Authenticator
from services.common.rpc.reflection import enable_reflection
from services.common.rpc.served import ServedCalls
from services.common.runtime.stop_watch import report_if_still_running
from services.common.telemetry.server_spans import server_spans

log = logging.getLogger("chirp.server")

MAX_REQUEST_BYTES = 1 << 20
STOP_REPORT_MARGIN_SECONDS = 5  # beyond the drain's grace: a stop this late reports what it waits for (stop_watch.py)


@dataclass(frozen=True)
class Registration:
    """A servicer to host: its full service name and how to add it."""

    service_name: str
    add: Callable[[grpc.aio.Server], None]

    @classmethod
    def of(cls, proto_module, service: str, add_to_server: Callable, servicer) -> "Registration":
        """proto_module: the generated *_pb2 module that declares `service`."""
        full_name = proto_module.DESCRIPTOR.services_by_name[service].full_name
        return cls(full_name, lambda server: add_to_server(servicer, server))


@dataclass
class RunningServer:
    server: grpc.aio.Server
    port: int
    health: health.aio.HealthServicer

    async def stop(self, grace: float) -> None:
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)


async def create_server(
    listen: str, registrations: Sequence[Registration], authenticator: Authenticator | None = None
) -> RunningServer:
    server = grpc.aio.server(
        interceptors=[ServedCalls(authenticator, server_spans())],
        options=[("grpc.max_receive_message_length", MAX_REQUEST_BYTES)],
    )
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for registration in registrations:
        registration.add(server)
    names = [r.service_name for r in registrations]
    enable_reflection([*names, health.SERVICE_NAME], server)
    try:
        port = server.add_insecure_port(listen)
    except RuntimeError:
        port = 0
    if port == 0:
        raise OSError(f"could not listen on {listen}: the address is in use or not allowed")
    await server.start()
    for name in ["", *names]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return RunningServer(server, port, health_servicer)


async def serve_until_signalled(running: RunningServer, grace: float, on_stop: Callable | None = None,
                                before_drain: Callable | None = None, stop: asyncio.Event | None = None) -> None:  # fmt: skip
    """Serves until SIGTERM or SIGINT, or until `stop` is set (by something the process cannot run without), then shuts down."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    report_if_still_running(grace + STOP_REPORT_MARGIN_SECONDS)
    await shut_down(running, grace, on_stop, before_drain)


async def shut_down(running: RunningServer, grace: float, on_stop: Callable | None = None,
                    before_drain: Callable | None = None) -> None:  # fmt: skip
    """`before_drain` first (an edge in front stops taking requests and finishes its own, its gRPC calls still
    answered), then the gRPC drain, then `on_stop` (the adapters)."""
    if before_drain is not None:
        await before_drain()
    log.info("stopping: draining requests for up to %ss", grace)
    await running.stop(grace)
    if on_stop is not None:
        await on_stop()
