"""`python -m services.gateway`: the REST gateway as its own process (mesh mode).

It reaches each service at its CHIRP_<NAME>_TARGET and listens on
CHIRP_GATEWAY_LISTEN; `make mesh` starts it after the services. Its
/metrics (requests by route template and status class, latency) is at
CHIRP_METRICS_LISTEN, by default the gateway's port + 1000.
"""

import asyncio
import signal
import sys

from services.common.runtime.config import Settings
from services.common.runtime.entry import run_main
from services.common.runtime.env import ConfigError
from services.common.runtime.heap import settle_after_start
from services.common.runtime.lifeline import end_with_parent
from services.common.runtime.logs import configure_logging
from services.common.telemetry.metrics import start_metrics_server
from services.common.telemetry.traces import start_tracing
from services.gateway.catalog import reached_services
from services.gateway.edge import open_edge
from services.registry import entry


async def run(settings: Settings) -> None:
    missing = [entry(name).target_variable for name in reached_services() if name not in settings.targets]
    if missing:
        raise ConfigError(f"the gateway needs {', '.join(missing)}")
    measured = settings.metrics_listen != "off"
    edge = await open_edge(settings.gateway_listen, settings.targets, measured)
    metrics = start_metrics_server(settings.metrics_listen, edge.rest.host, edge.rest.port) if measured else None
    print(f"Chirp REST gateway listening on {edge.url} (OpenAPI: {edge.url}/openapi.json)", flush=True)
    if metrics:
        print(f"  metrics on http://{metrics}/metrics", flush=True)
    settle_after_start()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await stop.wait()
    await edge.close()


def main() -> None:
    end_with_parent("chirp-gateway")
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        sys.exit(f"chirp-gateway: configuration error: {error}")
    configure_logging(settings.log_level)
    start_tracing("chirp-gateway", console=settings.trace_console)  # a REST call's trace starts here
    run_main("chirp-gateway", lambda: run(settings))


if __name__ == "__main__":
    main()
