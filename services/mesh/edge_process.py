"""The embedded mesh's REST gateway in a process of its own beside it (`python -m services.gateway`).

In the mesh's own process the gateway shared one core and one event loop
with every service, so a REST read cost the mesh's own CPU: REST home
reads reached 0.25 of gRPC's there, against 0.50 with the gateway in a
process of its own (mesh mode). Here the mesh starts the same entry point
mesh mode runs, pointed at itself, reads the address it prints, and stops
it on its way out. Should the mesh be killed, the child ends too
(services/common/runtime/lifeline.py). Should the child end first (a crash,
a kill), the mesh logs its exit code and stops cleanly, exit code 1, rather
than serve gRPC with its REST edge gone: the same rule as `make mesh`'s
launcher (a child that exits stops the rest), leaving restarts to whatever
supervises the mesh.
"""

import asyncio
import logging
import os
import re
import sys
from dataclasses import dataclass

from services.common.runtime.lifeline import parent_env
from services.gateway.catalog import reached_services
from services.mesh.launch_settings import metrics_addresses
from services.registry import entry

log = logging.getLogger("chirp.mesh")

START_TIMEOUT_SECONDS = 30
_LISTENING = re.compile(r"listening on (http://\S+)")


@dataclass
class EdgeProcess:
    process: asyncio.subprocess.Process
    url: str
    echo: asyncio.Task
    watch: asyncio.Task | None = None
    died_with: int | None = None  # the exit code, when it ended before close()

    def stop_on_exit(self, stop: asyncio.Event) -> None:
        """Sets stop should the gateway's process end before close() is called."""
        self.watch = asyncio.create_task(self._watch(stop), name="edge-process-watch")

    async def _watch(self, stop: asyncio.Event) -> None:
        code = await self.process.wait()
        if stop.is_set():  # the mesh is stopping already (Ctrl-C reaches the gateway too): an end it asked for
            return
        self.died_with = code
        log.error("the REST gateway's process (pid %s) exited with code %s; stopping the mesh", self.process.pid, self.died_with)
        stop.set()

    async def close(self) -> None:
        if self.watch is not None:
            self.watch.cancel()
        if self.process.returncode is None:
            try:
                self.process.terminate()
            except ProcessLookupError:  # it ended already (Ctrl-C reaches it too)
                pass
            await self.process.wait()
        self.echo.cancel()


async def start_edge_process(listen: str, target: str) -> EdgeProcess:
    """The gateway on `listen`, reaching every service at `target` (the mesh's own gRPC address)."""
    env = {key: value for key, value in os.environ.items() if key not in ("CHIRP_SERVICE", "CHIRP_LISTEN")}
    env.update({entry(name).target_variable: target for name in reached_services()}, CHIRP_GATEWAY_LISTEN=listen)
    env["CHIRP_METRICS_LISTEN"] = metrics_addresses(os.environ.get("CHIRP_METRICS_LISTEN", ""), 2)[1]  # the mesh's port, then its own
    env.update(parent_env())
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "services.gateway", env=env, stdout=asyncio.subprocess.PIPE)
    try:
        url = await asyncio.wait_for(_listening_url(process), START_TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise OSError(f"the REST gateway's process did not listen within {START_TIMEOUT_SECONDS} s") from None
    except BaseException:
        if process.returncode is None:
            process.kill()
        await process.wait()
        raise
    return EdgeProcess(process, url, asyncio.create_task(_echo(process)))


async def _listening_url(process: asyncio.subprocess.Process) -> str:
    while line := (await process.stdout.readline()).decode():
        if found := _LISTENING.search(line):
            return found.group(1)
    raise OSError(f"the REST gateway's process ended before it listened (exit code {await process.wait()})")


async def _echo(process: asyncio.subprocess.Process) -> None:
    """Whatever else the gateway prints, printed by the mesh (and its pipe never fills)."""
    while line := await process.stdout.readline():
        sys.stdout.write(line.decode())
        sys.stdout.flush()
