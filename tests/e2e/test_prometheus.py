"""A real Prometheus scrapes the mesh run as a real process: PromQL answers what an operator asks (home read p99,
fan-out lag, tweets posted, refusals), the alerting rules load and evaluate quietly, and every dashboard panel
queries metrics that exist in the scrape."""

import json
import math
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import ChirpClient
from tests.conftest import as_user
from tests.e2e.mesh_process import MeshProcess, start_mesh
from tests.e2e.prometheus import Prometheus, start_prometheus
from tests.tokens import as_account_service

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "chirp-mesh.json"
HOME = 'service="chirp.timeline.v1.TimelineService",method="ListHomeTimeline"'
POSTS, READERS, HOME_READS = 5, 4, 60


@pytest.fixture(scope="module")
def mesh(tmp_path_factory) -> Iterator[MeshProcess]:
    running = start_mesh(tmp_path_factory.mktemp("mesh"), CHIRP_RATE_LIMITS="post=5/1h")
    try:
        yield running
    finally:
        if running.process.poll() is None:
            assert running.stop() == 0, running.log


@pytest.fixture(scope="module")
def prometheus(mesh, tmp_path_factory) -> Iterator[Prometheus]:
    server = start_prometheus(tmp_path_factory.mktemp("prometheus"), [mesh.metrics_target])
    try:
        with ChirpClient(mesh.target) as client:
            author, readers = sign_up(client)
            # A series counts from its first scrape: the traffic to measure comes after it.
            eventually(lambda: server.query(f"chirp_rpc_server_handling_seconds_count{{{HOME}}}"))
            drive_traffic(client, author, readers)
        eventually(lambda: server.query(f'sum(chirp_rpc_server_handled_total{{method="CreateTweet",code="OK"}}) == {POSTS}'))
        yield server
    finally:
        server.stop()


def sign_up(client: ChirpClient) -> tuple[int, list[int]]:
    """An author and readers who follow them, each having read their home timeline once."""
    author = client.graph.CreateUser(graph_pb.CreateUserRequest(handle="scraped"), metadata=as_account_service()).user.user_id
    readers = [client.graph.CreateUser(graph_pb.CreateUserRequest(handle=f"reader{i}"), metadata=as_account_service()).user.user_id for i in range(READERS)]
    for reader in readers:
        client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=author), metadata=as_user(reader))
        client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), metadata=as_user(reader))
    return author, readers


def drive_traffic(client: ChirpClient, author: int, readers: list[int]) -> None:
    """The author posts until refused once; the readers read their home timelines."""
    for n in range(POSTS):
        client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text=f"post {n} #scraped"), metadata=as_user(author))
    with pytest.raises(grpc.RpcError):
        client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="one too many"), metadata=as_user(author))
    for n in range(HOME_READS):
        request = timeline_pb.ListHomeTimelineRequest(page_size=20)
        client.timeline.ListHomeTimeline(request, metadata=as_user(readers[n % READERS]))


def eventually(answer: Callable[[], object], timeout: float = 20.0) -> object:
    """Asks until the answer is truthy (Prometheus needs a scrape or two after the traffic)."""
    deadline = time.monotonic() + timeout
    while not (result := answer()):
        assert time.monotonic() < deadline, "Prometheus never gave the answer"
        time.sleep(0.5)
    return result


def settled(prometheus: Prometheus, promql: str) -> float:
    """A quantile once two scrapes span the traffic (NaN before)."""
    return eventually(lambda: next((v for v in [prometheus.scalar(promql)] if not math.isnan(v)), None))


def test_the_p99_of_home_reads(prometheus):
    p99 = settled(prometheus, f"histogram_quantile(0.99, sum by (le) (rate(chirp_rpc_server_handling_seconds_bucket{{{HOME}}}[1m])))")
    assert 0 < p99 < 0.3  # the alert's threshold
    assert prometheus.scalar(f"sum(chirp_rpc_server_handling_seconds_count{{{HOME}}})") == READERS + HOME_READS


def test_the_fanout_lag_and_queues(prometheus):
    p99 = settled(prometheus, "histogram_quantile(0.99, sum by (le) (rate(chirp_fanout_lag_seconds_bucket[1m])))")
    assert 0 < p99 < 30
    assert prometheus.scalar("sum(chirp_fanout_lag_seconds_count)") == POSTS  # one chunk of followers a post
    assert eventually(lambda: prometheus.scalar('max(chirp_queue_depth{queue="fanout"})') == 0)


def test_refusals_and_errors_by_code(prometheus):
    assert prometheus.scalar('sum(chirp_rate_limit_rejections_total{action="post"})') == 1
    assert prometheus.scalar('sum(chirp_rpc_server_handled_total{method="CreateTweet",code="RESOURCE_EXHAUSTED"})') == 1


def test_the_alerting_rules_load_evaluate_and_stay_quiet(prometheus):
    groups = prometheus.api("rules")["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert {r["name"] for r in rules if r["type"] == "alerting"} >= {"ChirpFanoutLagHigh", "ChirpHomeTimelineSlow", "ChirpCacheHitRateLow",
                                                                     "ChirpErrorRateHigh", "ChirpReplicationLagHigh"}  # fmt: skip
    eventually(lambda: all(r.get("lastEvaluation", "").startswith("2") and r["health"] == "ok" for r in rules) or None)
    assert [a for a in prometheus.api("alerts")["alerts"] if a["state"] == "firing"] == []


def test_every_dashboard_panel_queries_metrics_in_the_scrape(prometheus):
    scraped = set(prometheus.api("label/__name__/values"))
    panels = json.loads(DASHBOARD.read_text())["panels"]
    for panel in panels:
        for target in panel["targets"]:
            names = set(re.findall(r"\bchirp_[a-z_]+", target["expr"]))
            assert names and names <= scraped, f"panel {panel['title']!r} queries {names - scraped or 'no chirp metric'}"
