"""Who to follow in mesh mode, one process per service: two Graph processes on the same stores keep rankings in
Redis, so a follow, block or mute through one shows in what the other serves (only that: more than one Graph replica is not built)."""

import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp_client import AsyncChirpClient
from tests.conftest import as_user, production_backends
from tests.integration.mesh_processes import MeshProcesses
from tests.tokens import as_account_service

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
async def mesh(tmp_path):
    async with production_backends(tmp_path) as settings:
        processes = MeshProcesses(settings, tmp_path)
        try:
            yield processes
        finally:
            processes.stop_all()


async def test_a_follow_through_one_graph_replica_freshens_the_other(mesh: MeshProcesses):
    await mesh.start("snowflake")
    first = AsyncChirpClient((await mesh.start("graph-0")).address)
    second = AsyncChirpClient((await mesh.start("graph-1")).address)
    try:
        ids = {}
        for handle in ("me", "ann", "x", "q"):
            ids[handle] = (await first.graph.CreateUser(graph_pb.CreateUserRequest(handle=handle), metadata=as_account_service())).user.user_id
        for follower, followee in (("me", "ann"), ("ann", "x"), ("x", "q")):
            await first.graph.FollowUser(graph_pb.FollowUserRequest(user_id=ids[followee]), metadata=as_user(ids[follower]))

        async def suggested(client: AsyncChirpClient) -> list[tuple[str, str]]:
            response = await client.graph.ListSuggestions(graph_pb.ListSuggestionsRequest(), metadata=as_user(ids["me"]))
            return [(s.user.handle, s.reason) for s in response.suggestions]

        assert await suggested(first) == [("x", "followed by ann")]
        await second.graph.FollowUser(graph_pb.FollowUserRequest(user_id=ids["x"]), metadata=as_user(ids["me"]))
        assert await suggested(first) == [("q", "followed by x")]
        await second.graph.MuteUser(graph_pb.MuteUserRequest(user_id=ids["q"]), metadata=as_user(ids["me"]))
        assert await suggested(first) == []  # the mute through one replica hides q from what the other serves
        await second.graph.UnmuteUser(graph_pb.UnmuteUserRequest(user_id=ids["q"]), metadata=as_user(ids["me"]))
        assert await suggested(first) == [("q", "followed by x")]
    finally:
        await first.close()
        await second.close()
