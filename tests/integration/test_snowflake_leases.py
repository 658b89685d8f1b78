"""Snowflake worker ids leased in PostgreSQL: live processes never share one, a crashed one's id is
free again only once its lease has expired, and a process whose lease was taken issues no more ids."""

import asyncio
import time

import asyncpg
import grpc
import pytest

from chirp.snowflake.v1 import snowflake_service_pb2 as pb
from chirp.snowflake.v1 import snowflake_service_pb2_grpc as pb_grpc
from services.snowflake.worker_leases import lease_name
from tests.conftest import production_backends
from tests.integration.mesh_processes import MeshProcesses

LEASE_SECONDS = 20  # renewed every 7 s: a killed process's lease runs 13 s more at least, time enough to start another


@pytest.fixture
async def mesh(tmp_path):
    async with production_backends(tmp_path) as settings:
        processes = MeshProcesses(settings, tmp_path)
        try:
            yield processes
        finally:
            processes.stop_all()


async def worker_of(mesh: MeshProcesses, name: str) -> int:
    async with grpc.aio.insecure_channel(mesh.running[name].address) as channel:
        stub = pb_grpc.SnowflakeServiceStub(channel)
        issued = (await stub.NextId(pb.NextIdRequest())).id
        return (await stub.DecodeId(pb.DecodeIdRequest(id=issued))).worker_id


async def start(mesh: MeshProcesses, name: str) -> int:
    """Starts a Snowflake process preferring worker id 0; returns the worker id its ids carry."""
    await mesh.start(name, CHIRP_WORKER_ID="0", CHIRP_LEASE_SECONDS=str(LEASE_SECONDS))
    return await worker_of(mesh, name)


async def lease_runs(mesh: MeshProcesses, worker: int) -> bool:
    """Whether worker's lease is unexpired now, by the database's clock."""
    connection = await asyncpg.connect(mesh.settings.database_url, server_settings={"search_path": "snowflake"})
    try:
        return bool(await connection.fetchval("SELECT expires_at > now() FROM leases WHERE name = $1", lease_name(worker)))
    finally:
        await connection.close()


@pytest.mark.chaos  # slow: `make chaos` runs it
async def test_live_processes_never_share_a_worker_id_and_a_crashed_ones_is_reused_only_after_its_lease_expires(mesh):
    first, second = await start(mesh, "snowflake-a"), await start(mesh, "snowflake-b")
    assert first != second
    mesh.kill("snowflake-a")  # SIGKILL: its lease is not released
    third = await start(mesh, "snowflake-c")
    assert await lease_runs(mesh, first), "the machine was too slow to start a process within the dead one's lease"
    assert third not in (first, second)  # the dead one's id was still leased when the third took one
    deadline = time.monotonic() + LEASE_SECONDS + 5
    while await lease_runs(mesh, first):
        assert time.monotonic() < deadline, "the dead process's lease never expired"
        await asyncio.sleep(0.2)
    assert await start(mesh, "snowflake-d") == first  # expired: the lowest free id again


async def test_a_process_whose_lease_was_taken_refuses_ids_with_unavailable(mesh):
    worker = await start(mesh, "snowflake-a")
    connection = await asyncpg.connect(mesh.settings.database_url, server_settings={"search_path": "snowflake"})
    try:
        await connection.execute(
            "UPDATE leases SET holder = 'another process', expires_at = now() + interval '1 hour' WHERE name = $1", lease_name(worker)
        )
    finally:
        await connection.close()
    async with grpc.aio.insecure_channel(mesh.running["snowflake-a"].address) as channel:
        stub = pb_grpc.SnowflakeServiceStub(channel)
        deadline = time.monotonic() + LEASE_SECONDS + 2
        while True:
            try:
                await stub.NextId(pb.NextIdRequest())
            except grpc.aio.AioRpcError as error:
                assert error.code() == grpc.StatusCode.UNAVAILABLE
                assert "does not hold its worker id's lease" in error.details()
                break
            assert time.monotonic() < deadline, "the process kept issuing ids after its lease was taken"
            await asyncio.sleep(0.1)
