"""The embedded mesh and its REST gateway's process: a gateway that dies, or never starts, stops the mesh cleanly.

The mesh runs on PostgreSQL and RabbitMQ here, so that its outbox relays hold leases: a clean stop
releases them (a waiting replica takes over at once), an abrupt one would leave them to expire.
"""

import signal
import socket
import subprocess
import sys

import asyncpg
import pytest

from tests.e2e.mesh_process import REPO, clean_env, start_mesh
from tests.integration.servers import RABBITMQ_URL, free_port_range, fresh_bus_namespace, fresh_postgres_database

STOP_SECONDS = 30  # the grace, the lease release, and the process's end


@pytest.fixture
async def backends():
    async with fresh_postgres_database() as database_url, fresh_bus_namespace() as namespace:
        yield {"CHIRP_DATABASE_URL": database_url, "CHIRP_RABBITMQ_URL": RABBITMQ_URL, "CHIRP_BUS_NAMESPACE": namespace}


async def relay_leases(database_url: str) -> list[str]:
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch("SELECT 'graph.' || name AS name FROM graph.leases UNION ALL SELECT 'tweet.' || name FROM tweet.leases")
        return sorted(row["name"] for row in rows)
    finally:
        await connection.close()


async def test_a_gateway_killed_after_start_stops_the_mesh_loudly_and_cleanly(backends, tmp_path):
    mesh = start_mesh(tmp_path / "mesh", **backends)
    try:
        assert await relay_leases(backends["CHIRP_DATABASE_URL"]) == ["graph.outbox.relay", "tweet.outbox.relay"]
        (gateway,) = [int(pid) for pid in subprocess.run(["pgrep", "-P", str(mesh.process.pid)], capture_output=True, text=True).stdout.split()]
        subprocess.run(["kill", "-KILL", str(gateway)], check=True)
        code = mesh.process.wait(timeout=STOP_SECONDS)
    finally:
        if mesh.process.poll() is None:
            mesh.process.kill()
            mesh.process.wait(timeout=10)
    assert code == 1, mesh.log
    assert f"the REST gateway's process (pid {gateway}) exited with code {-signal.SIGKILL}; stopping the mesh" in mesh.log
    assert f"stopped because the REST gateway's process exited with code {-signal.SIGKILL}" in mesh.log
    assert await relay_leases(backends["CHIRP_DATABASE_URL"]) == []  # released, not left to expire


async def test_a_gateway_that_cannot_start_stops_the_mesh_with_its_leases_released(backends, tmp_path):
    with socket.socket() as taken:  # the gateway's address, held by someone else
        first = free_port_range(2)
        taken.bind(("127.0.0.1", first + 1))
        taken.listen()
        busy = f"127.0.0.1:{first + 1}"
        env = clean_env(CHIRP_LISTEN=f"127.0.0.1:{first}", CHIRP_GATEWAY_LISTEN=busy, CHIRP_DATA_DIR=str(tmp_path),
                        CHIRP_PAGE_TOKEN_SECRET="test", CHIRP_SHUTDOWN_GRACE_SECONDS="5", CHIRP_RATE_LIMITS="off", **backends)  # fmt: skip
        run = subprocess.run([sys.executable, "-m", "services.mesh"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    log = run.stdout + run.stderr
    assert run.returncode == 1, log
    assert "lease outbox.relay: held by" in log  # it held them before the gateway failed
    assert "the REST gateway's process did not start" in log and "listening on" not in run.stdout, log
    assert await relay_leases(backends["CHIRP_DATABASE_URL"]) == []
