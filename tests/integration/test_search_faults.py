"""Search replicas in mesh mode (every service its own process, on PostgreSQL, Redis and RabbitMQ): one killed
with SIGKILL while it indexes holds every acknowledged tweet exactly once after a restart, and one catching up
reports NOT_SERVING until its rebuild from storage is done."""

import asyncio

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.search.v1 import search_service_pb2 as search_pb
from chirp.search.v1 import search_service_pb2_grpc as search_grpc
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import AsyncChirpClient
from tests.conftest import as_user, production_backends
from tests.integration.mesh_processes import MeshProcesses
from tests.integration.servers import free_port
from tests.tokens import as_account_service

pytestmark = pytest.mark.timeout(180)
POSTS = 240


@pytest.fixture
async def mesh(tmp_path):
    async with production_backends(tmp_path) as settings:
        processes = MeshProcesses(settings, tmp_path)
        try:
            yield processes
        finally:
            processes.stop_all()


async def start_replica(mesh: MeshProcesses, replica: int, **extra: str):
    return await mesh.start(
        f"search-{replica}", CHIRP_REPLICA=str(replica), CHIRP_SEARCH_INDEX_DIR=str(mesh.workdir / f"index-{replica}"), **extra
    )


async def status(stub) -> search_pb.GetSearchStatusResponse:
    return await stub.GetSearchStatus(search_pb.GetSearchStatusRequest(), timeout=5)


async def all_found(stub, query: str) -> list[int]:
    found, token = [], ""
    while True:
        page = await stub.SearchTweets(search_pb.SearchTweetsRequest(query=query, page_size=100, page_token=token), timeout=10)
        found += [t.tweet_id for t in page.tweets]
        if not (token := page.next_page_token):
            return found


async def until(check, timeout: float = 60.0) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.1)


@pytest.mark.chaos  # slow: `make chaos` runs it
async def test_a_replica_killed_while_indexing_resumes_from_its_queue_and_holds_every_tweet_once(mesh: MeshProcesses):
    for service in ("snowflake", "graph", "tweet"):
        await mesh.start(service)
    doomed = await start_replica(mesh, 0, CHIRP_TEST_HOLD_ACK_MS="300")  # commits, then holds its acks: killed in between
    survivor = await start_replica(mesh, 1)
    channels = {r: grpc.aio.insecure_channel(s.address) for r, s in ((0, doomed), (1, survivor))}
    stubs = {r: search_grpc.SearchServiceStub(c) for r, c in channels.items()}
    try:
        await until(lambda: _ready(stubs[0]))
        async with AsyncChirpClient(mesh.target(), timeout=30) as client:
            author = (await client.graph.CreateUser(graph_pb.CreateUserRequest(handle="author"), metadata=as_account_service())).user.user_id
            limit = asyncio.Semaphore(16)

            async def post(i: int) -> int:
                async with limit:
                    request = tweet_pb.CreateTweetRequest(text=f"resilient indexing number {i}")
                    return (await client.tweet.CreateTweet(request, metadata=as_user(author))).tweet.tweet_id

            posting = asyncio.gather(*(post(i) for i in range(POSTS)))
            await until(lambda: _indexed_at_least(stubs[0], 40))
            at_kill = (await status(stubs[0])).indexed_tweets
            mesh.kill("search-0")
            acknowledged = sorted(await posting)
        assert at_kill < POSTS, "the replica must die while it still has tweets to index"
        await start_replica(mesh, 0)
        for stub in stubs.values():
            await until(lambda stub=stub: _holds(stub, len(acknowledged)))
            assert sorted(await all_found(stub, "resilient")) == acknowledged  # each exactly once
        restarted = await status(stubs[0])
        assert restarted.rebuild_scanned == 0 and restarted.indexed_tweets == POSTS  # resumed, not rebuilt
    finally:
        for channel in channels.values():
            await channel.close()


async def _ready(stub) -> bool:
    return (await status(stub)).state == search_pb.SEARCH_INDEX_STATE_READY


async def _indexed_at_least(stub, count: int) -> bool:
    return (await status(stub)).indexed_tweets >= count


async def _holds(stub, count: int) -> bool:
    try:
        return (await status(stub)).indexed_tweets >= count
    except grpc.aio.AioRpcError:
        return False  # the channel reconnects to the restarted replica


async def test_a_replica_catching_up_is_not_serving_until_its_rebuild_from_storage_is_done(mesh: MeshProcesses):
    for service in ("snowflake", "graph"):
        await mesh.start(service)
    mesh.ports["tweet"] = free_port()  # known to the replica, not started yet: the rebuild can't read storage
    replica = await start_replica(mesh, 0)
    async with grpc.aio.insecure_channel(replica.address) as channel:
        health, search = health_pb2_grpc.HealthStub(channel), search_grpc.SearchServiceStub(channel)

        async def serving() -> bool:
            response = await health.Check(health_pb2.HealthCheckRequest(service="chirp.search.v1.SearchService"), timeout=5)
            return response.status == health_pb2.HealthCheckResponse.SERVING

        await asyncio.sleep(0.6)  # a few health rounds (every 200 ms here)
        assert not await serving()
        assert (await status(search)).state == search_pb.SEARCH_INDEX_STATE_CATCHING_UP
        await mesh.start("tweet")
        await until(serving, timeout=30)
        assert (await status(search)).state == search_pb.SEARCH_INDEX_STATE_READY
