"""The PostgreSQL primary killed (SIGKILL) under a mixed load: Patroni promotes the synchronous
replica, the services follow it (a multi-host DSN with target_session_attrs=read-write), and no
acknowledged write is lost. Slow (a minute or two): run by `make chaos`, not `make test`.

The mesh runs as one process per service (Snowflake, Graph, Tweet, Timeline, Fanout) on the Patroni
cluster, a private Redis database and a RabbitMQ namespace, so the relays' and Snowflake's leases
live through the failover too."""

import asyncio
import json
import time

import asyncpg
import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp_client import AsyncChirpClient
from tests.chaos.mixed_load import MixedLoad
from tests.chaos.patroni_cluster import start_cluster
from tests.chaos.settle import check_counts, check_timelines, settle
from tests.conftest import make_settings
from tests.integration.mesh_processes import MeshProcesses
from tests.integration.servers import RABBITMQ_URL, REDIS_URL, flush_test_redis, fresh_bus_namespace
from tests.tokens import as_account_service

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(600)]

USERS, WORKERS = 16, 4
BEFORE_FAULT_SECONDS, LOAD_SECONDS = 8.0, 40.0
SERVICES = ("snowflake", "graph", "tweet", "timeline", "fanout")


@pytest.fixture
async def cluster():
    started = await asyncio.to_thread(start_cluster)
    try:
        yield started
    finally:
        await asyncio.to_thread(started.stop)


async def test_killing_the_primary_under_load_loses_no_acknowledged_write(cluster, tmp_path):
    admin = await asyncpg.connect(cluster.dsn)
    await admin.execute("CREATE DATABASE chirp")
    await admin.close()
    await flush_test_redis()
    async with fresh_bus_namespace() as namespace:
        settings = make_settings(tmp_path, database_url=cluster.dsn_for("chirp"), redis_url=REDIS_URL, rabbitmq_url=RABBITMQ_URL,
                                 bus_namespace=namespace, celebrity_threshold=10_000)  # fmt: skip
        mesh = MeshProcesses(settings, tmp_path)
        try:
            for service in SERVICES:
                await mesh.start(service)
            target = ";".join(f"{s}={mesh.running[s].address}" for s in SERVICES)
            async with AsyncChirpClient(target, timeout=10) as client:
                users = [(await client.graph.CreateUser(graph_pb.CreateUserRequest(handle=f"user{i}"), metadata=as_account_service())).user.user_id for i in range(USERS)]
                load = MixedLoad(client, users, WORKERS, pause=0.05)
                running = asyncio.create_task(load.run(LOAD_SECONDS))
                await asyncio.sleep(BEFORE_FAULT_SECONDS)
                primary = cluster.primary()
                fault_at = time.monotonic()
                primary.kill()
                failover = await asyncio.to_thread(
                    cluster.wait_until, lambda: (p := cluster.primary()) is not None and p is not primary, 90, "a new primary"
                )
                await running
                await settle(load)
                await check_counts(load)
                converged = await check_timelines(load)
            summary = {
                **load.report.summary(fault_at), "new_primary_after_s": round(failover, 2),
                "timelines_right_after_load_s": round(converged, 2), "lost": load.report.lost[:10],
                "mismatches": load.report.count_mismatches[:10],
            }  # fmt: skip
            print("\npostgres failover:", json.dumps(summary, indent=1))
            assert load.report.lost == [] and load.report.count_mismatches == []
            assert load.report.acknowledged["post"] > 0 and load.report.ok_write_times[-1] > fault_at + failover  # writes resumed
        finally:
            mesh.stop_all()
