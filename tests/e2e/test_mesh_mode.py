"""`make mesh` end to end: the launcher starts every service as its own process, and they work together."""

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import grpc
import httpx

from chirp.account.v1 import account_service_pb2 as account_pb
from chirp.fanout.v1 import fanout_service_pb2 as fanout_pb
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.search.v1 import search_service_pb2 as search_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import ChirpClient
from services.registry import BUILT
from tests.conftest import as_user, production_backends
from tests.integration.servers import free_port, free_port_range
from tests.tokens import as_account_service, bearer

START_TIMEOUT_SECONDS = 180  # thirteen processes, one after another: a loaded 2-core machine took over 90 s
PROCESSES = sum(entry.replicas for entry in BUILT)  # thirteen: Timeline, Fanout, Search and Trending twice


def launch(settings, base_port: int, log_path, gateway_port: int = 0, metrics_port: int = 0, replicas: str = "") -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIRP_")}
    env.update(
        CHIRP_DATABASE_URL=settings.database_url, CHIRP_REDIS_URL=settings.redis_url,
        CHIRP_RABBITMQ_URL=settings.rabbitmq_url, CHIRP_BUS_NAMESPACE=settings.bus_namespace,
        CHIRP_MESH_BASE_PORT=str(base_port), CHIRP_DATA_DIR=str(log_path.parent), CHIRP_RATE_LIMITS="off",
        CHIRP_JWT_PRIVATE_KEY=settings.jwt_private_key.decode(),  # the launcher gives it to the account service alone
        CHIRP_GATEWAY_LISTEN=f"127.0.0.1:{gateway_port or free_port()}", CHIRP_REPLICAS=replicas,
    )  # fmt: skip
    if metrics_port:
        env["CHIRP_METRICS_LISTEN"] = f"127.0.0.1:{metrics_port}"  # the first of one port per process
    with log_path.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "services.mesh.launch"], env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_for_target(process: subprocess.Popen, log_path) -> str:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not (found := re.search(r'CHIRP_TARGET="([^"]+)"', log_path.read_text())):
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the mesh did not come up:\n{log_path.read_text()}")
        time.sleep(0.1)
    return found.group(1)


def searched(client: ChirpClient, query: str, timeout: float = 30) -> list[int]:
    """What one replica finds, once it finds anything (it indexes within its commit interval)."""
    deadline = time.monotonic() + timeout
    while not (found := [t.tweet_id for t in client.search.SearchTweets(search_pb.SearchTweetsRequest(query=query)).tweets]):
        assert time.monotonic() < deadline, f"no replica found {query!r}"
        time.sleep(0.1)
    return found


def assert_logout_ends_access_tokens_in_every_process(client: ChirpClient, handle: str, password: str, tweet_id: int) -> None:
    """Logging out (at the account process) ends the session's access tokens at Tweet's and Timeline's processes
    within the copy interval (1 s); a password change ends the other sessions' the same way."""
    log_in = account_pb.CreateSessionRequest(handle=handle, password=password)
    leaving, staying = client.account.CreateSession(log_in).session, client.account.CreateSession(log_in).session
    client.account.DeleteSession(account_pb.DeleteSessionRequest(refresh_token=leaving.refresh_token))
    waited = refused_within(lambda: client.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=tweet_id), metadata=bearer(leaving.access_token)))
    refused_within(lambda: client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), metadata=bearer(leaving.access_token)))
    assert waited < 3.0, f"took {waited:.2f} s"
    change = account_pb.ChangePasswordRequest(current_password=password, new_password="a new password, long")
    client.account.ChangePassword(change, metadata=bearer(staying.access_token))
    other = client.account.CreateSession(account_pb.CreateSessionRequest(handle=handle, password="a new password, long")).session
    client.account.ChangePassword(account_pb.ChangePasswordRequest(current_password="a new password, long", new_password=password),
                                  metadata=bearer(other.access_token))  # fmt: skip
    refused_within(lambda: client.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=tweet_id), metadata=bearer(staying.access_token)))
    client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), metadata=bearer(other.access_token))  # the changer's lives on


def refused_within(call, timeout: float = 5.0) -> float:
    """Seconds until the call is refused as a session that has ended."""
    start = time.monotonic()
    while True:
        try:
            call()
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.UNAUTHENTICATED and "session has ended" in error.details(), error.details()
            return time.monotonic() - start
        assert time.monotonic() - start < timeout, "the ended session's token still works"
        time.sleep(0.05)


async def test_one_command_starts_every_process_and_they_work_as_one_mesh(tmp_path):
    base_port, metrics_port = free_port_range(PROCESSES), free_port_range(PROCESSES + 1)
    async with production_backends(tmp_path) as settings:
        log_path, gateway_port = tmp_path / "launch.log", free_port()
        process = launch(settings, base_port, log_path, gateway_port, metrics_port)
        try:
            target = await asyncio.to_thread(wait_for_target, process, log_path)
            assert target.count("127.0.0.1:") == PROCESSES and "timeline=ipv4:" in target and "trending=ipv4:" in target
            assert "search=ipv4:" in target
            with ChirpClient(target, timeout=30) as client:
                password = "the author's password"
                client.account.CreateAccount(account_pb.CreateAccountRequest(handle="author", password=password))
                session = client.account.CreateSession(account_pb.CreateSessionRequest(handle="author", password=password)).session
                author = session.user_id
                reader = client.graph.CreateUser(graph_pb.CreateUserRequest(handle="reader"), metadata=as_account_service()).user.user_id
                client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=author), metadata=as_user(reader))
                newcomer = client.graph.CreateUser(graph_pb.CreateUserRequest(handle="newcomer"), metadata=as_account_service()).user.user_id
                client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=newcomer), metadata=bearer(session.access_token))
                suggested = client.graph.ListSuggestions(graph_pb.ListSuggestionsRequest(), metadata=as_user(reader)).suggestions
                assert [(s.user.user_id, s.reason) for s in suggested] == [(newcomer, "followed by author")]
                for _ in range(4):  # both Timeline replicas cache the reader's timeline
                    client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), metadata=as_user(reader))
                posted = client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="one mesh"), metadata=bearer(session.access_token))
                assert posted.tweet.author.user_id == author, "the account service's token is verified by the Tweet service"
                deadline = time.monotonic() + 30
                while True:
                    page = client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), metadata=as_user(reader))
                    if [t.tweet_id for t in page.tweets] == [posted.tweet.tweet_id]:
                        break
                    assert time.monotonic() < deadline, "the tweet never reached the reader's timeline"
                    time.sleep(0.1)
                processed = sum(
                    client.fanout.GetFanoutStatus(fanout_pb.GetFanoutStatusRequest()).events_processed for _ in range(4)
                )
                assert processed >= 2  # the follow and the tweet, handled by the fanout replicas
                found = [searched(client, "mesh") for _ in range(4)]  # both Search replicas, round-robin
                assert found == [[posted.tweet.tweet_id]] * 4
                assert_logout_ends_access_tokens_in_every_process(client, "author", password, posted.tweet.tweet_id)
            rest = httpx.get(f"http://127.0.0.1:{gateway_port}/v1/tweets/{posted.tweet.tweet_id}", timeout=10)  # the gateway's own process
            assert rest.status_code == 200 and rest.json()["author"]["handle"] == "author"
            addresses = re.findall(r"metrics on http://([^/]+)/metrics", log_path.read_text())
            assert sorted(addresses) == [f"127.0.0.1:{metrics_port + i}" for i in range(PROCESSES + 1)]  # one port each
            scrapes = [urllib.request.urlopen(f"http://{address}/metrics", timeout=5).read().decode() for address in addresses]
            gateway = [text for text in scrapes if "chirp_http_server_requests_total{" in text]  # the gateway's process
            assert len(gateway) == 1 and 'method="GET",route="/v1/tweets/{tweet_id}",status="2xx"} 1.0' in gateway[0]
            assert sum('code="OK",method="CreateTweet"' in text for text in scrapes) == 1
            assert sum("chirp_fanout_lag_seconds_count 1.0" in text for text in scrapes) == 1  # the replica that fanned out
        finally:
            process.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(process.wait, 60) == 0, log_path.read_text()
        for service in ("snowflake", "graph", "account", "tweet", "timeline", "fanout", "search", "trending", "notification"):
            assert f"Chirp {service} service listening" in log_path.read_text()
        assert f"Chirp REST gateway listening on http://127.0.0.1:{gateway_port}" in log_path.read_text()
