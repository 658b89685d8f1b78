"""Blocks and mutes in mesh mode: Graph, Tweet, Timeline (two replicas), Fanout and Search as processes of their own.

The Graph process writes each user's hidden accounts to Redis as a block or
mute commits; the reading processes hide by that copy on their next read.
"""

import asyncio
import time

import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.search.v1 import search_service_pb2 as search_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
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
            for service in ("snowflake", "graph", "tweet", "timeline-1", "timeline-2", "fanout", "search"):
                await processes.start(service, CHIRP_SEARCH_COMMIT_MS="20")
            yield processes
        finally:
            processes.stop_all()


async def eventually(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (found := await check()):
        assert time.monotonic() < deadline, "the mesh never showed what was expected"
        await asyncio.sleep(0.1)
    return found


async def test_blocks_and_mutes_hide_across_processes_on_the_next_read(mesh: MeshProcesses):
    async with AsyncChirpClient(mesh.target(), timeout=30) as client:
        reader, rude, loud = [(await client.graph.CreateUser(graph_pb.CreateUserRequest(handle=h), metadata=as_account_service())).user.user_id for h in ("reader", "rude", "loud")]
        for followee in (rude, loud):
            await client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=followee), metadata=as_user(reader))

        async def post(author: int, text: str, reply_to: int = 0) -> int:
            request = tweet_pb.CreateTweetRequest(text=text, in_reply_to_tweet_id=reply_to)
            return (await client.tweet.CreateTweet(request, metadata=as_user(author))).tweet.tweet_id

        async def home() -> list[int]:
            page = await client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), metadata=as_user(reader))
            return [t.tweet_id for t in page.tweets]

        async def searched(query: str) -> list[int]:
            response = await client.search.SearchTweets(search_pb.SearchTweetsRequest(query=query), metadata=as_user(reader))
            return [t.tweet_id for t in response.tweets]

        rude_said, loud_said = await post(rude, "mesh words, rude"), await post(loud, "mesh words, loud")
        rude_reply = await post(rude, "mesh reply, rude", reply_to=loud_said)
        await eventually(lambda: _has(home, {rude_said, loud_said, rude_reply}))
        await eventually(lambda: _has(lambda: searched("mesh"), {rude_said, loud_said, rude_reply}))

        await client.graph.BlockUser(graph_pb.BlockUserRequest(user_id=rude), metadata=as_user(reader))
        await client.graph.MuteUser(graph_pb.MuteUserRequest(user_id=loud), metadata=as_user(reader))
        for _ in range(4):  # both Timeline replicas, round-robin
            assert await home() == []
        assert await searched("mesh") == [loud_said]  # muting hides nothing from search
        replies = await client.tweet.ListReplies(tweet_pb.ListRepliesRequest(tweet_id=loud_said), metadata=as_user(reader))
        assert list(replies.tweets) == []
        profile = await client.tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=loud), metadata=as_user(reader))
        assert [t.tweet_id for t in profile.tweets] == [loud_said]

        await client.graph.UnmuteUser(graph_pb.UnmuteUserRequest(user_id=loud), metadata=as_user(reader))
        assert await home() == [loud_said]


async def _has(read, wanted: set[int]) -> bool:
    return wanted <= set(await read())
