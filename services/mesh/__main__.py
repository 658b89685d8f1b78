"""`make run`: the whole mesh in one process, on its embedded defaults."""

import asyncio
import logging
import sys

from services.common.config import ConfigError, Settings
from services.common.logs import configure_logging
from services.common.server import create_server, serve_until_signalled
from services.mesh.bootstrap import bootstrap

log = logging.getLogger("chirp.mesh")


async def run(settings: Settings) -> None:
    mesh = await bootstrap(settings)
    registrations = mesh.registrations()
    running = await create_server(settings.listen, registrations)
    await mesh.start()
    host = settings.listen.rsplit(":", 1)[0]
    print(f"Chirp mesh (embedded) listening on {host}:{running.port}", flush=True)
    for registration in registrations:
        print(f"  {registration.service_name}", flush=True)
    print(f"  data: {settings.database_path} (SQLite, WAL); timelines in memory; Ctrl-C or SIGTERM stops", flush=True)
    await serve_until_signalled(running, settings.shutdown_grace_seconds, on_stop=mesh.close)


def main() -> None:
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        sys.exit(f"chirp-mesh: configuration error: {error}")
    configure_logging(settings.log_level)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
