"""One post, one trace: the mesh as processes (production backends) exports to a real OTLP/gRPC receiver, and the
trace follows the post from Tweet through the outbox relay and RabbitMQ into Fanout and Redis, every span joined."""

import asyncio
import time

import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import AsyncChirpClient
from tests.conftest import as_user, production_backends
from tests.integration.mesh_processes import MeshProcesses
from tests.integration.otlp_receiver import OtlpReceiver, ReceivedSpan
from tests.tokens import as_account_service

CREATE = "/chirp.tweet.v1.TweetService/CreateTweet"
SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5  # OTLP span kinds


@pytest.fixture
async def receiver():
    running = await OtlpReceiver().start()
    try:
        yield running
    finally:
        await running.stop()


RATIO_0 = {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0"}
CALLER_TRACE, CALLER_SPAN = 0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331


@pytest.fixture(params=[{}, RATIO_0], ids=["always_on", "ratio_0"])
def sampler(request) -> dict[str, str]:
    return request.param


@pytest.fixture
async def mesh(tmp_path, receiver, sampler):
    async with production_backends(tmp_path) as settings:
        processes = MeshProcesses(settings, tmp_path)
        tracing = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_EXPORTER_OTLP_INSECURE": "true",
                   "OTEL_BSP_SCHEDULE_DELAY": "100", **sampler}  # fmt: skip
        try:
            for service in ("snowflake", "graph", "tweet", "fanout"):
                await processes.start(service, **tracing)
            yield processes
        finally:  # off this loop: the receiver serving the processes' last exports runs on it
            await asyncio.to_thread(processes.stop_all)


async def post_trace(receiver: OtlpReceiver, want: set[tuple[str, str]], timeout: float = 30.0) -> list[ReceivedSpan]:
    """The spans of the trace rooted at the post, once it holds every (service, span name) wanted."""
    deadline = time.monotonic() + timeout
    while True:
        roots = [s for s in receiver.spans if s.name == CREATE and s.span.kind == SERVER]
        spans = receiver.trace(roots[0].span.trace_id) if roots else []
        missing = want - {(s.service, s.name) for s in spans}
        if not missing:
            return spans
        assert time.monotonic() < deadline, f"the post's trace lacks {missing}; it has {sorted({(s.service, s.name) for s in spans})}"
        await asyncio.sleep(0.2)


async def test_a_post_makes_one_connected_trace_from_tweet_through_rabbitmq_into_fanout_and_redis(mesh, receiver, sampler):
    async with AsyncChirpClient(mesh.target()) as client:
        author = (await client.graph.CreateUser(graph_pb.CreateUserRequest(handle="traced"), metadata=as_account_service())).user.user_id
        reader = (await client.graph.CreateUser(graph_pb.CreateUserRequest(handle="follower"), metadata=as_account_service())).user.user_id
        await client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=author), metadata=as_user(reader))
        since = time.time_ns()
        if sampler:  # nothing of an untraced post is kept; a post in a sampled caller's trace is, through every hop
            # (by another account: the traced post is its author's first, the one for which Tweet asks the graph)
            await client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="dropped"), metadata=as_user(reader))
        caller = [("traceparent", f"00-{CALLER_TRACE:032x}-{CALLER_SPAN:016x}-01")] if sampler else []
        await client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="follow me through"), metadata=as_user(author) + caller)
    namespace = mesh.settings.bus_namespace
    spans = await post_trace(receiver, {
        ("chirp-tweet", CREATE),
        ("chirp-graph", "/chirp.graph.v1.GraphService/BatchGetUsers"),  # the author, asked by Tweet at their first post
        ("chirp-tweet", "publish tweet.created"),
        ("chirp-fanout", f"consume {namespace}.fanout.events"),
        ("chirp-fanout", "/chirp.graph.v1.GraphService/BatchListFollowerIds"),
        ("chirp-graph", "/chirp.graph.v1.GraphService/BatchListFollowerIds"),
    })
    by_id = {s.span.span_id: s for s in spans}
    roots = [s for s in spans if not s.span.parent_span_id]
    assert [r.name for r in roots] == ([] if sampler else [CREATE]), "one trace, one root: the post (or the caller's span)"
    if sampler:
        [post] = [s for s in spans if s.name == CREATE]
        assert (post.span.trace_id, post.span.parent_span_id) == (CALLER_TRACE.to_bytes(16, "big"), CALLER_SPAN.to_bytes(8, "big"))
    assert all(s.span.parent_span_id in by_id for s in spans if s.span.parent_span_id and s.name != CREATE), "every span's parent is in the trace"
    published = next(s for s in spans if s.name == "publish tweet.created")
    consumed = next(s for s in spans if s.name.startswith("consume ") and s.service == "chirp-fanout")
    assert (published.span.kind, consumed.span.kind) == (PRODUCER, CONSUMER)
    assert consumed.span.parent_span_id == published.span.span_id
    assert [link.span_id for link in consumed.span.links] == [published.span.span_id]
    below_consumer = {s.service for s in spans if _descends(s, consumed, by_id)}
    assert "chirp-graph" in below_consumer
    assert any(s.service == "chirp-fanout" and _is_redis(s) and _descends(s, consumed, by_id) for s in spans), "no Redis span in fan-out"
    assert any(s.service == "chirp-tweet" and _is_postgres(s) for s in spans), "no PostgreSQL span in the post"
    await asyncio.sleep(1.5)  # health probes, outbox polls and gauges ran meanwhile: none of them starts a trace
    later = [s for s in receiver.spans if s.span.start_time_unix_nano >= since]
    assert {s.name for s in later if not s.span.parent_span_id} == (set() if sampler else {CREATE})
    if sampler:
        assert {s.span.trace_id for s in later} == {CALLER_TRACE.to_bytes(16, "big")}, "the untraced post kept nothing"
    clients = [s for s in spans if s.span.kind == CLIENT and s.name.startswith("/chirp.")]
    assert clients and all(any(p.span.parent_span_id == c.span.span_id and p.span.kind == SERVER for p in spans) for c in clients)


def _descends(span: ReceivedSpan, ancestor: ReceivedSpan, by_id: dict[bytes, ReceivedSpan]) -> bool:
    while span.span.parent_span_id in by_id:
        span = by_id[span.span.parent_span_id]
        if span is ancestor:
            return True
    return False


def _attributes(span: ReceivedSpan) -> dict[str, str]:
    return {a.key: a.value.string_value for a in span.span.attributes}


def _is_redis(span: ReceivedSpan) -> bool:
    return _attributes(span).get("db.system") == "redis" or _attributes(span).get("db.system.name") == "redis"


def _is_postgres(span: ReceivedSpan) -> bool:
    return _attributes(span).get("db.system") == "postgresql" or _attributes(span).get("db.system.name") == "postgresql"
