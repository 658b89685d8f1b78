"""Trending in mesh mode: two replicas as processes of their own, fed through their RabbitMQ queue, sharing Redis."""

import asyncio
import time

import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.trending.v1 import trending_service_pb2 as trending_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import AsyncChirpClient
from tests.conftest import as_user, production_backends
from tests.integration.mesh_processes import MeshProcesses
from tests.tokens import as_account_service

pytestmark = pytest.mark.timeout(240)
REFRESH = {"CHIRP_TRENDING_REFRESH_SECONDS": "1"}


@pytest.fixture
async def mesh(tmp_path):
    async with production_backends(tmp_path) as settings:
        processes = MeshProcesses(settings, tmp_path)
        try:
            for service in ("snowflake", "graph", "tweet"):
                await processes.start(service)
            await processes.start("trending-1", **REFRESH)
            await processes.start("trending-2", **REFRESH)
            yield processes
        finally:
            processes.stop_all()


async def wait_for(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not (found := await check()):
        assert time.monotonic() < deadline, "trending never showed what was expected"
        await asyncio.sleep(0.2)
    return found


async def test_two_replicas_count_from_their_queue_and_one_survives_the_other(mesh: MeshProcesses):
    async with AsyncChirpClient(mesh.target(), timeout=30) as client:
        authors = [(await client.graph.CreateUser(graph_pb.CreateUserRequest(handle=f"a{n}"), metadata=as_account_service())).user.user_id for n in range(6)]
        posted = []
        for author in authors:
            request = tweet_pb.CreateTweetRequest(text="together #MeshMode")
            posted.append((await client.tweet.CreateTweet(request, metadata=as_user(author))).tweet.tweet_id)

        async def ranked(window: int = 0):
            response = await client.trending.ListTrendingHashtags(trending_pb.ListTrendingHashtagsRequest(window_minutes=window))
            return response if [(h.hashtag, h.unique_authors) for h in response.hashtags] == [("meshmode", 6)] else None

        first = await wait_for(ranked)
        mesh.kill("trending-1")  # kill -9: whatever lease it held lapses on its own
        client_after = AsyncChirpClient(mesh.target(), timeout=30)
        try:
            later = await wait_for(lambda: _refreshed_after(client_after, first.refresh_time.ToMilliseconds()))
            assert [h.hashtag for h in later.hashtags] == ["meshmode"]
            await client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=posted[0]), metadata=as_user(authors[0]))
            await wait_for(lambda: _authors_of(client_after, 5))  # the deleted tweet no longer counts
        finally:
            await client_after.close()


async def _refreshed_after(client: AsyncChirpClient, refreshed_ms: int):
    response = await client.trending.ListTrendingHashtags(trending_pb.ListTrendingHashtagsRequest())
    return response if response.refresh_time.ToMilliseconds() > refreshed_ms else None


async def _authors_of(client: AsyncChirpClient, authors: int) -> bool:
    response = await client.trending.ListTrendingHashtags(trending_pb.ListTrendingHashtagsRequest())
    return [h.unique_authors for h in response.hashtags] == [authors]
