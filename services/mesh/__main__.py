"""`chirp-mesh`: the whole mesh in one process, or one service when CHIRP_SERVICE names it."""

import asyncio
import logging
import sys

from services.common.rpc.health import DependencyMonitor
from services.common.rpc.server import create_server, serve_until_signalled, shut_down
from services.common.runtime.config import Settings
from services.common.runtime.entry import run_main
from services.common.runtime.env import ConfigError
from services.common.runtime.fault_hooks import FaultHooks
from services.common.runtime.heap import settle_after_start
from services.common.runtime.lifeline import end_with_parent
from services.common.runtime.logs import configure_logging
from services.common.telemetry.traces import start_tracing
from services.mesh.bootstrap import bootstrap
from services.mesh.edge_process import start_edge_process
from services.mesh.observed import FlowGauges, start_metrics
from services.mesh.process import build_process

log = logging.getLogger("chirp.mesh")


def describe(settings: Settings) -> str:
    storage = "PostgreSQL" if settings.database_url else f"SQLite ({settings.database_path}, WAL)"
    timelines = "Redis Cluster" if settings.redis_cluster else "Redis" if settings.redis_url else "memory"
    if settings.redis_cluster and settings.redis_replica_acks:
        timelines += ", writes wait for a replica"
    bus = "RabbitMQ" if settings.rabbitmq_url else "in-process outbox"
    return f"storage: {storage}; timelines: {timelines}; events: {bus}"


async def run(settings: Settings, hooks: FaultHooks) -> None:
    host = await (build_process(settings, hooks) if settings.service else bootstrap(settings, hooks=hooks))
    registrations = host.registrations()
    running = await create_server(settings.listen, registrations, host.authenticator)
    monitor = DependencyMonitor(host.resources.checks, settings.health_check_interval_ms / 1000)
    monitor.start(running.health, [r.service_name for r in registrations])
    await host.start()
    metrics = start_metrics(settings, running.port)
    gauges = FlowGauges(host.flow) if host.flow is not None else None
    if gauges is not None:
        gauges.start()
    name = f"Chirp {settings.service} service" if settings.service else "Chirp mesh"
    host_name = settings.listen.rsplit(":", 1)[0]

    async def stop() -> None:
        if gauges is not None:
            await gauges.stop()
        await monitor.stop()
        await host.close()

    try:
        edge = None if settings.service else await start_edge_process(settings.gateway_listen, f"{host_name}:{running.port}")
    except BaseException as error:  # the gateway did not start: the mesh stops as cleanly as on SIGTERM (its leases released)
        log.error("the REST gateway's process did not start (%s); stopping the mesh", error)
        await shut_down(running, settings.shutdown_grace_seconds, on_stop=stop)
        raise
    print(f"{name} listening on {host_name}:{running.port} ({describe(settings)})", flush=True)
    for registration in registrations:
        print(f"  {registration.service_name}", flush=True)
    if edge is not None:
        print(f"  REST gateway on {edge.url} (OpenAPI: {edge.url}/openapi.json)", flush=True)
    if metrics:
        print(f"  metrics on http://{metrics}/metrics", flush=True)
    print("  Ctrl-C or SIGTERM stops", flush=True)
    settle_after_start()

    async def stop_edge() -> None:  # first: no new REST request, and those in flight finish while gRPC still serves
        if edge is not None:
            await edge.close()

    stopping = asyncio.Event()
    if edge is not None:
        edge.stop_on_exit(stopping)  # a gateway that dies stops the mesh (edge_process.py says why)
    await serve_until_signalled(running, settings.shutdown_grace_seconds, on_stop=stop, before_drain=stop_edge, stop=stopping)
    if edge is not None and edge.died_with is not None:
        raise SystemExit(f"chirp-mesh: stopped because the REST gateway's process exited with code {edge.died_with}")


def main() -> None:
    end_with_parent("chirp-mesh")  # started by the launcher: ends with it
    try:
        settings, hooks = Settings.from_env(), FaultHooks.from_env()
    except ConfigError as error:
        sys.exit(f"chirp-mesh: configuration error: {error}")
    configure_logging(settings.log_level)
    start_tracing(f"chirp-{settings.service or 'mesh'}", console=settings.trace_console)
    run_main("chirp-mesh", lambda: run(settings, hooks))


if __name__ == "__main__":
    main()
