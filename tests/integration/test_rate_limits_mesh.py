"""Rate limits in mesh mode: two Tweet processes take from the same buckets in Redis; a bad setting stops a start."""

import os
import subprocess
import sys

import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import AsyncChirpClient
from services.common.limits.rates import POST, Rate
from tests.conftest import as_user, production_backends
from tests.integration.mesh_processes import MeshProcesses
from tests.integration.test_rate_limits import refused
from tests.tokens import as_account_service

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
async def mesh(tmp_path):
    async with production_backends(tmp_path, rate_limits={POST: Rate(10, 60)}) as settings:
        processes = MeshProcesses(settings, tmp_path)
        try:
            yield processes
        finally:
            processes.stop_all()


async def post(client: AsyncChirpClient, author: int, text: str) -> int:
    return (await client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text=text), metadata=as_user(author))).tweet.tweet_id


async def test_two_tweet_replicas_share_one_bucket(mesh: MeshProcesses):
    await mesh.start("snowflake")
    graph = AsyncChirpClient((await mesh.start("graph")).address)
    replicas = [await mesh.start("tweet-0"), await mesh.start("tweet-1")]
    clients = [graph, *(AsyncChirpClient(replica.address) for replica in replicas)]
    try:
        alice = (await graph.graph.CreateUser(graph_pb.CreateUserRequest(handle="alice"), metadata=as_account_service())).user.user_id
        for n in range(10):
            await post(clients[1 + n % 2], alice, f"tweet {n}")  # five through each replica
        for client in clients[1:]:
            message, _ = await refused(post(client, alice, "one too many"))
            assert message.startswith("10 posts a minute: try again in ")
        page = await clients[2].tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=alice, page_size=100))
        assert len(page.tweets) == 10
    finally:
        for client in clients:
            await client.close()


def test_a_malformed_rate_setting_stops_the_process_at_start(tmp_path):
    env = {**os.environ, "CHIRP_RATE_LIMITS": "post=lots", "CHIRP_LISTEN": "127.0.0.1:0", "CHIRP_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "services.mesh"], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    assert "CHIRP_RATE_LIMITS: post='lots' is not N/<period> like post=10/60s" in done.stderr
