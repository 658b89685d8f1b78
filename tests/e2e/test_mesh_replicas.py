"""`make mesh` with Tweet and Graph replicated (CHIRP_REPLICAS=tweet=2,graph=2): both replicas of each
take writes through round_robin, each event is published once (one relay per outbox at a time), posts
fan out once to every follower, and reads work through either replica."""

import asyncio
import re
import signal
import time
import urllib.request

import pytest

from chirp.fanout.v1 import fanout_service_pb2 as fanout_pb
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import ChirpClient
from tests.conftest import as_user, production_backends
from tests.e2e.test_mesh_mode import launch, wait_for_target
from tests.integration.servers import free_port_range
from tests.tokens import as_account_service

REPLICAS = "tweet=2,graph=2,timeline=1,fanout=1,search=1,trending=1,notification=1"
PROCESSES = 11  # snowflake, account: 1; graph, tweet: 2; timeline, fanout, search, trending, notification: 1
AUTHORS, READERS, POSTS_EACH = 3, 4, 4


def home(client: ChirpClient, reader: int) -> list[int]:
    page = client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(page_size=100), metadata=as_user(reader))
    return [t.tweet_id for t in page.tweets]


def settle(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.slow
async def test_tweet_and_graph_with_two_replicas_publish_each_event_once_and_serve_reads(tmp_path):
    base_port = free_port_range(PROCESSES)
    async with production_backends(tmp_path) as settings:
        log_path = tmp_path / "launch.log"
        process = launch(settings, base_port, log_path, replicas=REPLICAS)
        try:
            target = await asyncio.to_thread(wait_for_target, process, log_path)
            assert target.count("127.0.0.1:") == PROCESSES and "tweet=ipv4:" in target and "graph=ipv4:" in target
            with ChirpClient(target, timeout=30) as client:
                authors = [client.graph.CreateUser(graph_pb.CreateUserRequest(handle=f"author{i}"), metadata=as_account_service()).user.user_id for i in range(AUTHORS)]
                readers = [client.graph.CreateUser(graph_pb.CreateUserRequest(handle=f"reader{i}"), metadata=as_account_service()).user.user_id for i in range(READERS)]
                for reader in readers:
                    for author in authors:
                        client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=author), metadata=as_user(reader))
                posted = [
                    client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text=f"post {n} by {a}"), metadata=as_user(a)).tweet.tweet_id
                    for n in range(POSTS_EACH) for a in authors
                ]  # fmt: skip
                newest_first = sorted(posted, reverse=True)
                for reader in readers:
                    settle(lambda: home(client, reader) == newest_first)
                events = AUTHORS * READERS + len(posted)  # the follows and the posts: what fan-out consumes
                status = lambda: client.fanout.GetFanoutStatus(fanout_pb.GetFanoutStatusRequest())  # noqa: E731
                settle(lambda: status().events_processed >= events)
                time.sleep(2)  # room for a second copy of any event to arrive
                assert status().events_processed == events, "an event was published more than once"
                for _ in range(4):  # each read goes to the next replica
                    assert client.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=posted[0])).tweet.tweet_id == posted[0]
                    assert client.graph.GetUser(graph_pb.GetUserRequest(user_id=authors[0])).user.follower_count == READERS
            scrapes = [urllib.request.urlopen(f"http://{address}/metrics", timeout=5).read().decode()
                       for address in re.findall(r"metrics on http://([^/]+)/metrics", log_path.read_text())]  # fmt: skip
            assert sum('code="OK",method="CreateTweet"' in text for text in scrapes) == 2  # both Tweet replicas took posts
            assert sum('code="OK",method="FollowUser"' in text for text in scrapes) == 2  # both Graph replicas took follows
        finally:
            process.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(process.wait, 60) == 0, log_path.read_text()
