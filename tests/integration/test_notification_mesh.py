"""Notification in mesh mode: two replicas as processes of their own, sharing their RabbitMQ queue and PostgreSQL,
reaching Graph and Tweet over gRPC."""

import asyncio
import time

import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import AsyncChirpClient
from tests.conftest import as_user, production_backends
from tests.integration.mesh_processes import MeshProcesses
from tests.tokens import as_account_service

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
async def mesh(tmp_path):
    async with production_backends(tmp_path) as settings:
        processes = MeshProcesses(settings, tmp_path)
        try:
            for service in ("snowflake", "graph", "tweet", "notification-1", "notification-2"):
                await processes.start(service)
            yield processes
        finally:
            processes.stop_all()


async def wait_for(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not (found := await check()):
        assert time.monotonic() < deadline, "the notifications never showed what was expected"
        await asyncio.sleep(0.2)
    return found


async def test_two_replicas_group_a_burst_of_likes_exactly_and_hide_a_muted_account(mesh: MeshProcesses):
    async with AsyncChirpClient(mesh.target(), timeout=30) as client:
        users = [(await client.graph.CreateUser(graph_pb.CreateUserRequest(handle=f"u{n}"), metadata=as_account_service())).user.user_id for n in range(12)]
        author, troll, fans = users[0], users[1], users[2:]
        await client.graph.MuteUser(graph_pb.MuteUserRequest(user_id=troll), metadata=as_user(author))
        tweet = (await client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="hi"), metadata=as_user(author))).tweet.tweet_id
        await asyncio.gather(*(client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=tweet), metadata=as_user(u)) for u in [troll, *fans]))

        async def grouped():
            page = await client.notifications(metadata=as_user(author))
            return page if [n.actor_count for n in page.notifications] == [len(fans)] else None

        [note] = (await wait_for(grouped)).notifications
        assert note.summary.endswith(f" and {len(fans) - 1} others liked your tweet")
        assert troll not in [a.user_id for a in note.actors]
        await client.tweet.UnlikeTweet(tweet_pb.UnlikeTweetRequest(tweet_id=tweet), metadata=as_user(fans[0]))

        async def one_fewer():
            page = await client.notifications(metadata=as_user(author))
            return [n.actor_count for n in page.notifications] == [len(fans) - 1]

        await wait_for(one_fewer)
