"""Health follows the dependencies: NOT_SERVING while Redis is gone, SERVING again when it is back."""

import asyncio
import shutil
import subprocess
import time

from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.rpc.health import DependencyMonitor
from services.common.rpc.remote import channel
from services.common.rpc.server import create_server
from services.mesh.bootstrap import bootstrap
from tests.conftest import make_settings
from tests.integration.servers import free_port, wait_for_port

SERVING, NOT_SERVING = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING


def start_redis(port: int, workdir) -> subprocess.Popen:
    args = [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(workdir)]  # fmt: skip
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port)
    return process


async def wait_for_status(stub, service: str, wanted: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        status = (await stub.Check(health_pb2.HealthCheckRequest(service=service))).status
        if status == wanted:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{service or 'the server'} stayed {status} instead of becoming {wanted}")
        await asyncio.sleep(0.05)


async def test_a_lost_redis_turns_health_not_serving_until_it_returns(tmp_path):
    port = free_port()
    redis = start_redis(port, tmp_path)
    mesh = await bootstrap(make_settings(tmp_path, redis_url=f"redis://127.0.0.1:{port}/0"))
    registrations = mesh.registrations()
    running = await create_server("127.0.0.1:0", registrations)
    monitor = DependencyMonitor(mesh.resources.checks, interval_seconds=0.1)
    monitor.start(running.health, [r.service_name for r in registrations])
    ch = channel(f"127.0.0.1:{running.port}")
    stub = health_pb2_grpc.HealthStub(ch)
    try:
        await wait_for_status(stub, "", SERVING)
        redis.terminate()
        redis.wait(10)
        await wait_for_status(stub, "", NOT_SERVING)
        await wait_for_status(stub, "chirp.timeline.v1.TimelineService", NOT_SERVING)
        assert monitor.unreachable == {"redis"}
        redis = start_redis(port, tmp_path)  # the same address comes back: no restart of the mesh
        await wait_for_status(stub, "", SERVING)
        await wait_for_status(stub, "chirp.timeline.v1.TimelineService", SERVING)
    finally:
        await ch.close()
        await monitor.stop()
        await running.stop(0)
        await mesh.close()
        redis.terminate()
        redis.wait(10)


async def test_every_production_dependency_is_watched(production_settings):
    mesh = await bootstrap(production_settings)
    try:
        assert set(mesh.resources.checks) == {"postgresql (graph)", "postgresql (tweet)", "postgresql (account)", "postgresql (notification)", "redis", "rabbitmq"}
        assert await DependencyMonitor(mesh.resources.checks, 1).check_once() == set()
    finally:
        await mesh.close()
