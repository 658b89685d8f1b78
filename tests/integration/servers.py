"""Real servers for integration tests, on loopback. Unreachable means failed, never skipped."""

import os
import random
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

REDIS_URL = os.environ.get("CHIRP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_cluster_ports(count: int) -> list[int]:
    """`count` distinct free ports whose cluster bus ports (port + 10000) are free too, all below Linux's ephemeral
    range (32768 up). Distinct: none is bound until every one is chosen, so a free port could otherwise come twice."""
    rng = random.Random()
    ports: list[int] = []
    while len(ports) < count:
        port = rng.randrange(20_000, 22_700)
        if port not in ports and _is_free(port) and _is_free(port + 10000):
            ports.append(port)
    return ports


def free_port_range(count: int) -> int:
    """The first of `count` consecutive free ports, below Linux's ephemeral range (32768 up),
    so that no outgoing connection of the processes being started can take one meanwhile."""
    rng = random.Random()
    while True:
        first = rng.randrange(20_000, 32_000)
        if all(_is_free(first + i) for i in range(count)):
            return first


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class LocalRedisCluster:
    """redis-server processes on loopback joined into one cluster: three masters, each with `replicas` replicas.
    With replicas, a master that stops answering for `node_timeout_ms` is replaced by its replica."""

    def __init__(self, workdir: Path, nodes: int = 3, replicas: int = 0, node_timeout_ms: int = 15000):
        self.workdir, self.replicas, self.node_timeout_ms = workdir, replicas, node_timeout_ms
        self.ports = free_cluster_ports(nodes * (1 + replicas))
        self.processes: list[subprocess.Popen] = []

    def start(self) -> "LocalRedisCluster":
        server = shutil.which("redis-server")
        if server is None:
            raise FileNotFoundError("redis-server is not installed: run `make test`, which installs it")
        for port in self.ports:
            node_dir = self.workdir / str(port)
            node_dir.mkdir(parents=True)
            args = [server, "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf", "--save", "", "--appendonly", "no",
                    "--cluster-node-timeout", str(self.node_timeout_ms), "--dir", str(node_dir)]  # fmt: skip
            self.processes.append(subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for port in self.ports:
            wait_for_port(port)
        addresses = [f"127.0.0.1:{port}" for port in self.ports]
        subprocess.run(
            ["redis-cli", "--cluster", "create", *addresses, "--cluster-replicas", str(self.replicas), "--cluster-yes"],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip
        self.wait_until_ok()
        return self

    def nodes(self, via: int | None = None) -> list[tuple[int, str, bool]]:
        """(port, role, connected) of every node, as `via` (a live node's port) sees the cluster."""
        port = via or next(p for p, process in zip(self.ports, self.processes) if process.poll() is None)
        listed = subprocess.run(["redis-cli", "-p", str(port), "cluster", "nodes"], capture_output=True, text=True, timeout=5).stdout
        rows = [line.split() for line in listed.splitlines() if line.strip()]
        return [(int(r[1].split(":")[1].split("@")[0]), "master" if "master" in r[2] else "replica", "fail" not in r[2]) for r in rows]

    def masters(self) -> list[int]:
        return sorted(port for port, role, connected in self.nodes() if role == "master" and connected)

    def kill(self, port: int) -> None:
        """SIGKILL: the node stops answering at once, with no goodbye to its replica."""
        process = self.processes[self.ports.index(port)]
        process.kill()
        process.wait(10)

    def wait_until_ok(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            alive = [p for p, process in zip(self.ports, self.processes) if process.poll() is None]
            infos = [subprocess.run(["redis-cli", "-p", str(port), "cluster", "info"], capture_output=True, text=True, timeout=5).stdout
                     for port in alive]  # fmt: skip
            if all("cluster_state:ok" in info for info in infos):
                return
            time.sleep(0.1)
        raise TimeoutError("the local Redis Cluster did not reach cluster_state:ok")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(10)


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A new, empty database on the local PostgreSQL server, dropped afterwards; yields its DSN."""
    name = f"chirp_test_{uuid.uuid4().hex}"
    await _run_as_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        await _run_as_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _run_as_admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL, timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


RABBITMQ_URL = os.environ.get("CHIRP_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


@asynccontextmanager
async def fresh_bus_namespace() -> AsyncIterator[str]:
    """A namespace of its own on the local RabbitMQ (exchange and queues), deleted afterwards."""
    from services.common.messaging.rabbitmq.bus import QueueSpec, RabbitBus
    from services.mesh.event_flow import QUEUES

    namespace = f"chirp_test_{uuid.uuid4().hex[:12]}"
    try:
        yield namespace
    finally:
        bus = await RabbitBus.connect(RABBITMQ_URL, exchange=f"{namespace}.events", name="test-cleanup")
        await bus.delete([QueueSpec(f"{namespace}.{queue}") for queue in QUEUES], exchange=True)
        await bus.close()


async def flush_test_redis() -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    await client.aclose()
