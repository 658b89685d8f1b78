"""A Redis Cluster master is killed (SIGKILL) in the middle of a run: its replica takes over, the mesh (one process
per service) follows the new topology, lost timelines are rebuilt, and counts stay exact. Part of `make chaos`."""

import asyncio
import time

import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp_client import AsyncChirpClient
from tests.conftest import make_settings
from tests.integration.chaos_checks import Report, final_check
from tests.integration.chaos_load import MixedLoad
from tests.integration.mesh_processes import MeshProcesses
from tests.integration.servers import RABBITMQ_URL, LocalRedisCluster, fresh_bus_namespace, fresh_postgres_database
from tests.tokens import as_account_service

pytestmark = [pytest.mark.timeout(600), pytest.mark.chaos]
SERVICES = ("snowflake", "graph", "tweet", "timeline", "fanout")
LOAD_SECONDS, FAULT_AFTER_SECONDS, NODE_TIMEOUT_MS = 24.0, 8.0, 1000


@pytest.fixture
def redis_cluster_with_replicas(tmp_path_factory):
    cluster = LocalRedisCluster(tmp_path_factory.mktemp("redis-replicas"), replicas=1, node_timeout_ms=NODE_TIMEOUT_MS).start()
    yield cluster
    cluster.stop()


@pytest.fixture
async def mesh(tmp_path, redis_cluster_with_replicas):
    url = f"redis://127.0.0.1:{redis_cluster_with_replicas.masters()[0]}"
    async with fresh_postgres_database() as dsn, fresh_bus_namespace() as namespace:
        settings = make_settings(tmp_path, database_url=dsn, redis_url=url, redis_cluster=True, rabbitmq_url=RABBITMQ_URL,
                                 bus_namespace=namespace, celebrity_threshold=10_000)
        processes = MeshProcesses(settings, tmp_path)
        try:
            for service in SERVICES:
                await processes.start(service)
            yield processes
        finally:
            processes.stop_all()


async def test_a_redis_master_killed_mid_run_is_replaced_and_nothing_is_lost(mesh: MeshProcesses, redis_cluster_with_replicas):
    cluster = redis_cluster_with_replicas
    report = Report(f"Redis Cluster: a master killed (SIGKILL) mid-run, its replica promoted (node timeout {NODE_TIMEOUT_MS} ms)")
    async with AsyncChirpClient(mesh.target(), timeout=10) as client:
        users = [(await client.graph.CreateUser(graph_pb.CreateUserRequest(handle=f"u{i}"), metadata=as_account_service())).user.user_id for i in range(24)]
        load = MixedLoad(client, users)
        await load.setup(follows_each=4)
        victim = cluster.masters()[1]  # not the node the processes were given: they must find the others

        async def fault() -> float:
            await asyncio.sleep(FAULT_AFTER_SECONDS)
            at = time.monotonic()
            cluster.kill(victim)
            while victim in cluster.masters() or len(cluster.masters()) < 3:  # promoted once the others agree it failed
                await asyncio.sleep(0.05)
            report.figures["replica_promoted_after_s"] = round(time.monotonic() - at, 2)
            return at

        started = time.monotonic()
        _, fault_at = await asyncio.gather(load.run(LOAD_SECONDS), fault())
        report.add_run(load.ledger, fault_at, round(time.monotonic() - started, 1))
        await final_check(load, mesh.settings.database_url, report)
    assert victim not in cluster.masters()
    for process in mesh.running.values():
        assert process.process.poll() is None, f"{process.name} died:\n{process.log.read_text()[-2000:]}"
