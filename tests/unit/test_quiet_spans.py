"""Spans the sampler could only drop take no SDK path, and every span it could keep still does."""

from opentelemetry import trace
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased, ParentBasedTraceIdRatio, TraceIdRatioBased

from services.common.runtime.quiet_spans import QuietTracer, QuietTracerProvider

TRACE_ID, SPAN_ID = 0x4BF92F3577B34DA6A3CE929D0E0E4736, 0x00F067AA0BA902B7


def under(sampled: bool):
    flags = trace.TraceFlags(trace.TraceFlags.SAMPLED if sampled else trace.TraceFlags.DEFAULT)
    return trace.set_span_in_context(trace.NonRecordingSpan(trace.SpanContext(TRACE_ID, SPAN_ID, is_remote=True, trace_flags=flags)))


def test_under_an_unsampled_caller_a_span_is_the_callers_own_unsampled_context():
    tracer = QuietTracerProvider(sampler=ParentBased(ALWAYS_ON)).get_tracer("t")
    span = tracer.start_span("call", context=under(sampled=False))
    assert not span.is_recording() and span.get_span_context().trace_id == TRACE_ID and not span.get_span_context().trace_flags.sampled
    with tracer.start_as_current_span("call", context=under(sampled=False)) as current:
        assert trace.get_current_span() is current and not current.is_recording()


def test_under_a_sampled_caller_a_span_is_recorded_in_its_trace_even_at_a_ratio_of_0():
    tracer = QuietTracerProvider(sampler=ParentBasedTraceIdRatio(0)).get_tracer("t")
    with tracer.start_as_current_span("call", context=under(sampled=True)) as span:
        assert span.is_recording() and span.get_span_context().trace_id == TRACE_ID and span.parent.span_id == SPAN_ID
        assert tracer.start_span("child").is_recording()


def test_at_a_ratio_of_0_a_span_without_a_caller_is_no_span_and_starts_no_trace():
    tracer = QuietTracerProvider(sampler=ParentBasedTraceIdRatio(0)).get_tracer("t")
    with tracer.start_as_current_span("call") as span:
        assert span is trace.INVALID_SPAN and tracer.start_span("child") is trace.INVALID_SPAN


def test_roots_a_ratio_could_keep_take_the_sdks_path():
    tracer = QuietTracerProvider(sampler=ParentBasedTraceIdRatio(1)).get_tracer("t")
    assert isinstance(tracer, QuietTracer) and tracer.start_span("call").is_recording()


def test_a_sampler_that_ignores_its_caller_gets_the_sdks_own_tracer():
    tracer = QuietTracerProvider(sampler=TraceIdRatioBased(1)).get_tracer("t")
    assert not isinstance(tracer, QuietTracer) and tracer.start_span("call", context=under(sampled=False)).is_recording()
