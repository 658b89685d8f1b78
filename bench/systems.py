"""The systems the benchmark drives, each started as its own processes and stopped afterwards.

- the embedded mesh: one `python -m services.mesh` process (SQLite, in-process queue and cache);
- mesh mode: `services.mesh.launch` (every built service: 11 processes, two each of Timeline, Fanout, Search and Trending, on PostgreSQL, Redis and RabbitMQ), in a fresh
  database, Redis database and RabbitMQ namespace of its own, removed at the end;
- the echo server (bench/echo.py), for the framework ceiling.
"""

import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from redis.asyncio import Redis

from services.common.tokens.keys import SigningKey

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_BENCH_URL = os.environ.get("CHIRP_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")  # flushed: a database of its own
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
TARGET_LINE = re.compile(r'export CHIRP_TARGET="([^"]+)"')


@dataclass
class Running:
    name: str
    process: subprocess.Popen
    log: Path
    target: str
    rest_url: str = ""  # the REST gateway in front of it
    database_url: str = ""  # mesh mode's own database
    cleanup: list = field(default_factory=list)  # async callables run after the processes stop

    def pids(self) -> dict[str, int]:
        """Each service process's pid, by CHIRP_SERVICE (or the system's name for a single process)."""
        children = _children(self.process.pid)
        if not children:
            return {self.name: self.process.pid}
        if self.name == "embedded":  # the mesh's one process, and the REST gateway's process it starts beside itself
            return {self.name: self.process.pid, **{f"gateway@{n}": pid for n, pid in enumerate(children)}}
        named = {}
        for pid in children:
            service = _environ(pid).get("CHIRP_SERVICE", "?")
            listen = _environ(pid).get("CHIRP_LISTEN", "")
            named[f"{service}@{listen.rsplit(':', 1)[-1]}"] = pid
        return named

    def addresses(self, service: str) -> list[str]:
        """A service's addresses: from mesh mode's named target, or the one process's."""
        if "=" not in self.target:
            return [self.target]
        named = dict(part.split("=", 1) for part in self.target.split(";"))
        return named[service].removeprefix("ipv4:").split(",")

    def rss_bytes(self) -> dict[str, int]:
        return {name: _rss(pid) for name, pid in self.pids().items()}

    async def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.process.wait, 30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for clean in self.cleanup:
            await clean()


def share_signing_key() -> None:
    """One signing key for the systems started and the benchmark's clients, which mint tokens with it
    (chirp_client.credentials.key_holder_tokens), as the account service would."""
    os.environ.setdefault("CHIRP_JWT_PRIVATE_KEY", SigningKey.generate().pem().decode())


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports, below Linux's ephemeral range."""
    while True:
        first = random.randrange(20_000, 32_000)
        if all(is_free(first + i) for i in range(count)):
            return first


def is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _gateway_env() -> dict[str, str]:
    """The REST gateway on a free port (its callers send the tokens the benchmark mints)."""
    return {"CHIRP_GATEWAY_LISTEN": f"127.0.0.1:{free_ports(1)}"}


async def start_embedded(workdir: Path, port: int) -> Running:
    share_signing_key()
    env = {**os.environ, "CHIRP_LISTEN": f"127.0.0.1:{port}", "CHIRP_DATA_DIR": str(workdir / "embedded-data"),
           "CHIRP_LOG_LEVEL": "WARNING", "CHIRP_RATE_LIMITS": "off", **_gateway_env()}  # fmt: skip  # load is not to be throttled
    running = _spawn("embedded", [sys.executable, "-m", "services.mesh"], env, workdir / "embedded.log", f"127.0.0.1:{port}")
    running.rest_url = "http://" + env["CHIRP_GATEWAY_LISTEN"]
    await _wait_for(running, lambda text: "listening on" in text)
    return running


async def start_mesh(workdir: Path, base_port: int) -> Running:
    share_signing_key()
    name = f"chirp_bench_{uuid.uuid4().hex[:10]}"
    database_url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    redis = Redis.from_url(REDIS_BENCH_URL)
    await redis.flushdb()
    env = {**os.environ, "CHIRP_DATABASE_URL": database_url, "CHIRP_REDIS_URL": REDIS_BENCH_URL,
           "CHIRP_RABBITMQ_URL": RABBITMQ_URL, "CHIRP_BUS_NAMESPACE": name, "CHIRP_MESH_BASE_PORT": str(base_port),
           "CHIRP_DATA_DIR": str(workdir / "mesh-data"), "CHIRP_LOG_LEVEL": "WARNING",
           "CHIRP_RATE_LIMITS": "off", **_gateway_env()}  # fmt: skip  # Search replicas' indexes; load is not to be throttled
    running = _spawn("mesh", [sys.executable, "-m", "services.mesh.launch"], env, workdir / "mesh.log", "")
    running.rest_url = "http://" + env["CHIRP_GATEWAY_LISTEN"]
    running.cleanup += [lambda: _drop_database(name), lambda: _delete_namespace(name), redis.flushdb, redis.aclose]
    text = await _wait_for(running, TARGET_LINE.search)
    running.target = TARGET_LINE.search(text).group(1)
    running.database_url = database_url
    return running


async def start_echo(workdir: Path, port: int) -> Running:
    running = _spawn("echo", [sys.executable, "-m", "bench.echo", f"127.0.0.1:{port}"], dict(os.environ),
                     workdir / "echo.log", f"127.0.0.1:{port}")  # fmt: skip
    await _wait_for(running, lambda text: "listening on" in text)
    return running


def _spawn(name: str, argv: list[str], env: dict, log: Path, target: str) -> Running:
    handle = log.open("w")
    process = subprocess.Popen(argv, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[1])
    return Running(name, process, log, target)


async def _wait_for(running: Running, ready, timeout: float = 90.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = running.log.read_text(errors="replace")
        if ready(text):
            return text
        if running.process.poll() is not None:
            raise RuntimeError(f"{running.name} exited while starting; its log, {running.log}, says:\n{text[-2000:]}")
        await asyncio.sleep(0.2)
    await running.stop()
    raise TimeoutError(f"{running.name} did not start within {timeout:.0f} s; see {running.log}")


async def _drop_database(name: str) -> None:
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _delete_namespace(namespace: str) -> None:
    from services.common.messaging.rabbitmq.bus import QueueSpec, RabbitBus
    from services.mesh.event_flow import QUEUES

    bus = await RabbitBus.connect(RABBITMQ_URL, exchange=f"{namespace}.events", name="bench-cleanup")
    await bus.delete([QueueSpec(f"{namespace}.{queue}") for queue in QUEUES], exchange=True)
    await bus.close()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0
