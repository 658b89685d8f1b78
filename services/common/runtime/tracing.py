"""Trace context across process hops: W3C `traceparent` headers, via OpenTelemetry.

Services create spans with `tracer()`; the outbox stores the context that
was current when an event was committed; publishing makes a producer span
per message, a child of the context the message carries (the commit's, for
a relayed event), and puts that span's context in the message headers;
a consumer's span is that producer span's child, linked to it too.
"""

import contextvars
import functools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import context, propagate, trace
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, SpanExporter

from services.common.runtime.quiet_spans import QuietTracerProvider

_TRACER = "chirp"


def configure_tracing(exporter: SpanExporter | None = None, console: bool = False, resource: Resource | None = None,
                      batch: bool = False) -> QuietTracerProvider:  # fmt: skip
    """Installs the process's tracer provider; spans go to `exporter` (in batches when asked) and the console when asked.
    The sampler comes from OTEL_TRACES_SAMPLER (default: parent-based, always on); spans it could only drop cost
    next to nothing (quiet_spans.py)."""
    provider = QuietTracerProvider(resource=resource or Resource.create())
    if console:
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return provider


def untraced():
    """A context where instrumented libraries make no spans: polls and probes that would each start a trace of their own."""
    return suppress_instrumentation()


@functools.cache
def tracer() -> trace.Tracer:
    """Looked up once (the SDK's lookup costs microseconds a call); one taken before tracing is configured is a proxy
    that follows the provider installed later."""
    return trace.get_tracer(_TRACER)


def is_sampled(within: contextvars.Context) -> bool:
    """Whether the span current in that context is recorded (sampled)."""
    return within.run(lambda: trace.get_current_span().get_span_context().trace_flags.sampled)


def current_trace_headers() -> dict[str, str]:
    """The current trace context as message headers (empty outside a span)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def _carrier(headers: Mapping[str, object] | None) -> dict[str, str]:
    return {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in (headers or {}).items()}


@contextmanager
def producer_spans(messages: Sequence[tuple[str, Mapping[str, str]]]) -> Iterator[list[dict[str, str]]]:
    """A producer span for each (name, headers) while they are sent: a child of the context the headers carry, or
    of the current one. Yields each message's headers carrying its span instead; the spans end on leaving."""
    spans, carriers = [], []
    for name, headers in messages:
        parent = propagate.extract(_carrier(headers)) if "traceparent" in headers else None
        span = tracer().start_span(name, context=parent, kind=trace.SpanKind.PRODUCER)
        carrier = dict(headers)
        propagate.inject(carrier, context=trace.set_span_in_context(span))
        spans.append(span)
        carriers.append(carrier)
    try:
        yield carriers
    except Exception as error:
        for span in spans:
            span.record_exception(error)
            span.set_status(trace.StatusCode.ERROR)
        raise
    finally:
        for span in spans:
            span.end()


@contextmanager
def continued_span(name: str, headers: Mapping[str, object] | None) -> Iterator[trace.Span]:
    """A consumer span that continues the trace carried in a message's headers, linked to the producer's span."""
    carried = propagate.extract(_carrier(headers))
    producer = trace.get_current_span(carried).get_span_context()
    links = [trace.Link(producer)] if producer.is_valid else []
    token = context.attach(carried)
    try:
        with tracer().start_as_current_span(name, kind=trace.SpanKind.CONSUMER, links=links) as span:
            yield span
    finally:
        context.detach(token)
