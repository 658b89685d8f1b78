"""Metrics through the real gRPC services, on the embedded and the production backends: each RPC counted by
status code and timed, fan-out lag, cache lookups, rebuilds, rate-limit refusals, the flow's gauges, /metrics over HTTP."""

import asyncio
import urllib.request

import grpc
import pytest
from prometheus_client import REGISTRY

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from services.common.limits.rates import POST, Rate
from services.common.telemetry.metrics import serve_metrics
from services.mesh.observed import FlowGauges
from tests.conftest import make_settings, production_backends

GRAPH = "chirp.graph.v1.GraphService"
TIMELINE = "chirp.timeline.v1.TimelineService"


@pytest.fixture(params=["embedded", "production"])
async def settings(request, tmp_path):
    rates = {POST: Rate(3, 3600)}
    if request.param == "production":
        async with production_backends(tmp_path, rate_limits=rates) as settings:
            yield settings
    else:
        yield make_settings(tmp_path, rate_limits=rates)


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_rpcs_are_counted_by_status_and_timed(live):
    ok, missing = value("chirp_rpc_server_handled_total", service=GRAPH, method="GetUserByHandle", code="OK"), \
        value("chirp_rpc_server_handled_total", service=GRAPH, method="GetUserByHandle", code="NOT_FOUND")  # fmt: skip
    timed = value("chirp_rpc_server_handling_seconds_count", service=GRAPH, method="GetUserByHandle")
    await live.register("metered")
    await live.client.graph.GetUserByHandle(graph_pb.GetUserByHandleRequest(handle="metered"))
    with pytest.raises(grpc.aio.AioRpcError):
        await live.client.graph.GetUserByHandle(graph_pb.GetUserByHandleRequest(handle="nobody"))
    assert value("chirp_rpc_server_handled_total", service=GRAPH, method="GetUserByHandle", code="OK") == ok + 1
    for _ in range(100):  # a failed call is counted as the server finishes it, which may be just after the client hears
        if value("chirp_rpc_server_handled_total", service=GRAPH, method="GetUserByHandle", code="NOT_FOUND") > missing:
            break
        await asyncio.sleep(0.01)
    assert value("chirp_rpc_server_handled_total", service=GRAPH, method="GetUserByHandle", code="NOT_FOUND") == missing + 1
    assert value("chirp_rpc_server_handling_seconds_count", service=GRAPH, method="GetUserByHandle") == timed + 2


async def test_fanout_lag_cache_lookups_rebuilds_and_refusals_are_measured(live):
    lag, rebuilds = value("chirp_fanout_lag_seconds_count"), value("chirp_timeline_rebuilds_total")
    hits, misses = value("chirp_cache_lookups_total", cache="timeline", result="hit"), value("chirp_cache_lookups_total", cache="timeline", result="miss")
    refused = value("chirp_rate_limit_rejections_total", action=POST)
    author, reader = await live.register("author"), await live.register("reader")
    await live.follow(reader, author)
    await live.home_ids(reader)  # a miss: the timeline is built
    for text in ("one", "two", "three"):
        await live.post(author, text)
    with pytest.raises(grpc.aio.AioRpcError):
        await live.post(author, "four")
    await live.settle()
    await live.home_ids(reader)
    assert value("chirp_fanout_lag_seconds_count") >= lag + 3
    assert value("chirp_timeline_rebuilds_total") == rebuilds + 1
    assert value("chirp_rate_limit_rejections_total", action=POST) == refused + 1
    looked_up = value("chirp_cache_lookups_total", cache="timeline", result="hit") - hits
    looked_up += value("chirp_cache_lookups_total", cache="home_page", result="hit")  # a warm page needs no id lookup
    assert looked_up >= 1 and value("chirp_cache_lookups_total", cache="timeline", result="miss") == misses + 1


async def test_the_flow_gauges_and_the_endpoint(live):
    author = await live.register("gauged")
    await live.post(author, "counted #metrics")
    await live.settle()
    await FlowGauges(live.mesh.flow).sample()
    assert value("chirp_queue_depth", queue="fanout") == 0
    assert value("chirp_queue_dead_letters", queue="fanout") == 0
    port = serve_metrics("127.0.0.1", 0)
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    assert 'chirp_queue_depth{queue="search"} 0.0' in text
    assert "chirp_rpc_server_handling_seconds_bucket" in text and "chirp_outbox_backlog_events" in text
