"""Server spans on a real grpc.aio server: a sampled call gets a span with the instrumentation's attributes, a child of
the caller's; an unsampled one gets none recorded, yet its handler runs inside the caller's (unsampled) trace."""

import grpc
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ParentBasedTraceIdRatio, TraceIdRatioBased

from chirp.snowflake.v1 import snowflake_service_pb2 as snowflake_pb
from chirp.snowflake.v1 import snowflake_service_pb2_grpc as snowflake_grpc
from services.common.rpc.server import Registration, create_server
from services.common.telemetry import server_spans
from services.common.telemetry.server_spans import QuietCalls
from tests.integration.spans import capture_spans

TRACE_ID, PARENT_ID = 0x4BF92F3577B34DA6A3CE929D0E0E4736, 0x00F067AA0BA902B7
METHOD = "/chirp.snowflake.v1.SnowflakeService/NextId"


class SeenSpans(snowflake_grpc.SnowflakeServiceServicer):
    def __init__(self):
        self.contexts: list[trace.SpanContext] = []

    async def NextId(self, request, context):
        self.contexts.append(trace.get_current_span().get_span_context())
        return snowflake_pb.NextIdResponse(id=1)


@pytest.fixture
async def traced(monkeypatch):
    monkeypatch.setattr(server_spans, "_switched_on", True)
    exporter, servicer = capture_spans(), SeenSpans()
    registration = Registration.of(snowflake_pb, "SnowflakeService", snowflake_grpc.add_SnowflakeServiceServicer_to_server, servicer)
    server = await create_server("127.0.0.1:0", [registration])
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            exporter.clear()
            yield snowflake_grpc.SnowflakeServiceStub(channel), servicer, exporter
    finally:
        await server.stop(0)


def traceparent(sampled: bool) -> list[tuple[str, str]]:
    return [("traceparent", f"00-{TRACE_ID:032x}-{PARENT_ID:016x}-{'01' if sampled else '00'}")]


async def test_a_sampled_call_gets_a_server_span_with_the_instrumentations_attributes(traced):
    stub, servicer, exporter = traced
    await stub.NextId(snowflake_pb.NextIdRequest(), metadata=traceparent(sampled=True))
    [span] = [s for s in exporter.get_finished_spans() if s.name == METHOD]
    assert span.kind == trace.SpanKind.SERVER and span.context.trace_id == TRACE_ID and span.parent.span_id == PARENT_ID
    assert {k: span.attributes[k] for k in ("rpc.system", "rpc.service", "rpc.method", "rpc.grpc.status_code", "net.peer.ip")} == {
        "rpc.system": "grpc", "rpc.service": "chirp.snowflake.v1.SnowflakeService", "rpc.method": "NextId",
        "rpc.grpc.status_code": 0, "net.peer.ip": "127.0.0.1"}  # fmt: skip
    assert servicer.contexts[-1].span_id == span.context.span_id


async def test_an_unsampled_call_records_nothing_and_its_handler_stays_in_the_callers_trace(traced):
    stub, servicer, exporter = traced
    await stub.NextId(snowflake_pb.NextIdRequest(), metadata=traceparent(sampled=False))
    assert [s for s in exporter.get_finished_spans() if s.name == METHOD] == []
    seen = servicer.contexts[-1]
    assert seen.is_valid and seen.trace_id == TRACE_ID and not seen.trace_flags.sampled  # what it calls stays unsampled


async def test_a_call_without_a_trace_starts_one_when_the_sampler_keeps_it(traced):
    stub, servicer, exporter = traced
    await stub.NextId(snowflake_pb.NextIdRequest())
    [span] = [s for s in exporter.get_finished_spans() if s.name == METHOD]
    assert span.parent is None and servicer.contexts[-1].trace_id == span.context.trace_id


def test_a_ratio_samplers_roots_are_decided_on_the_trace_id_the_span_then_gets():
    """QuietCalls answers as the SDK's sampler would: no root dropped that the sampler keeps, and none kept twice over."""
    tracer = TracerProvider(sampler=ParentBasedTraceIdRatio(0.25)).get_tracer("server-spans-test")
    quiet = QuietCalls.of(tracer)
    kept = 0
    for _ in range(4000):
        unsampled = quiet.context(None)
        if unsampled is None:
            span = tracer.start_span("call", kind=trace.SpanKind.SERVER)
            assert span.is_recording()  # the sampler saw the id the quick answer tested
            kept += 1
        else:
            assert not trace.get_current_span(unsampled).get_span_context().trace_flags.sampled
    assert 800 < kept < 1200  # a quarter, give or take


def test_other_samplers_take_the_sdks_path():
    assert QuietCalls.of(TracerProvider(sampler=TraceIdRatioBased(0.5)).get_tracer("t")) is None  # not parent-based
    assert QuietCalls.of(TracerProvider(sampler=ParentBasedTraceIdRatio(0.5)).get_tracer("t")).bound is not None
