"""A RabbitMQ node stops in the middle of a posting run: the mesh, one process per service, on a 3-node cluster
with quorum queues, loses nothing. Slow (a cluster boots in about 20 s): part of `make chaos`, not `make test`."""

import asyncio
import time

import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp_client import AsyncChirpClient
from tests.conftest import make_settings
from tests.integration.chaos_checks import Report, final_check
from tests.integration.chaos_load import MixedLoad
from tests.integration.mesh_processes import MeshProcesses
from tests.integration.rabbitmq_cluster import LocalRabbitCluster
from tests.integration.servers import REDIS_URL, flush_test_redis, fresh_postgres_database
from tests.tokens import as_account_service

pytestmark = [pytest.mark.timeout(600), pytest.mark.chaos]
SERVICES = ("snowflake", "graph", "tweet", "timeline", "fanout")
LOAD_SECONDS, FAULT_AFTER_SECONDS = 24.0, 8.0


@pytest.fixture
def rabbit_cluster(tmp_path_factory):
    cluster = LocalRabbitCluster(tmp_path_factory.mktemp("rabbitmq-cluster")).start()
    yield cluster
    cluster.close()


@pytest.fixture
async def mesh(tmp_path, rabbit_cluster):
    await flush_test_redis()
    async with fresh_postgres_database() as dsn:
        settings = make_settings(tmp_path, database_url=dsn, redis_url=REDIS_URL, rabbitmq_url=rabbit_cluster.url,
                                 bus_namespace="chirp_chaos", celebrity_threshold=10_000)
        processes = MeshProcesses(settings, tmp_path)
        try:
            for service in SERVICES:
                await processes.start(service)
            yield processes
        finally:
            processes.stop_all()


def leader_of(cluster: LocalRabbitCluster, queue: str):
    """The node whose Raft member leads `queue`: stopping it forces an election."""
    listed = cluster.ctl(cluster.nodes[0], "list_queues", "name", "leader", "--no-table-headers")
    leaders = dict(line.split("\t") for line in listed.splitlines() if "\t" in line)
    return next(node for node in cluster.nodes if node.name == leaders[queue])


async def members_online(cluster: LocalRabbitCluster, queue: str, count: int, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = await asyncio.to_thread(cluster.ctl, cluster.nodes[0], "list_queues", "name", "online", "--no-table-headers")
        online = dict(line.split("\t") for line in listed.splitlines() if "\t" in line).get(queue, "")
        if online.count("@localhost") == count:
            return True
        await asyncio.sleep(1)
    return False


async def test_a_rabbitmq_node_stopped_mid_run_loses_no_acknowledged_write(mesh: MeshProcesses, rabbit_cluster):
    report = Report("RabbitMQ: the leader node of the fan-out queue stopped mid-run, 2 of 3 nodes left")
    async with AsyncChirpClient(mesh.target(), timeout=10) as client:
        users = [(await client.graph.CreateUser(graph_pb.CreateUserRequest(handle=f"u{i}"), metadata=as_account_service())).user.user_id for i in range(24)]
        load = MixedLoad(client, users)
        await load.setup(follows_each=4)
        victim = leader_of(rabbit_cluster, "chirp_chaos.fanout.events")

        async def fault() -> float:
            await asyncio.sleep(FAULT_AFTER_SECONDS)
            at = time.monotonic()
            await asyncio.to_thread(rabbit_cluster.stop_node, victim)
            report.figures["node_stop_took_s"] = round(time.monotonic() - at, 2)
            return at

        started = time.monotonic()
        _, fault_at = await asyncio.gather(load.run(LOAD_SECONDS), fault())
        report.add_run(load.ledger, fault_at, round(time.monotonic() - started, 1))
        report.figures["processes_that_reconnected"] = [p.name for p in mesh.running.values() if "reconnecting" in p.log.read_text()]
        await final_check(load, mesh.settings.database_url, report)
    await asyncio.to_thread(rabbit_cluster.restart_node, victim)  # it rejoins, and its queue members catch up
    assert await members_online(rabbit_cluster, "chirp_chaos.fanout.events", 3), "the restarted node's member did not rejoin"
    for process in mesh.running.values():
        assert process.process.poll() is None, f"{process.name} died:\n{process.log.read_text()[-2000:]}"
