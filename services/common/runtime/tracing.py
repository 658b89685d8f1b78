"""Trace context across process hops: W3C `traceparent` headers, via OpenTelemetry.

Services create spans with `tracer()`; the outbox stores the context that
was current when an event was committed, the relay puts it in the message
headers, and consumers continue the trace from there.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor, SpanExporter

_TRACER = "chirp"


def configure_tracing(exporter: SpanExporter | None = None, console: bool = False) -> TracerProvider:
    """Installs the process's tracer provider; spans go to `exporter` (and the console when asked)."""
    provider = TracerProvider()
    if console:
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return provider


def tracer() -> trace.Tracer:
    return trace.get_tracer(_TRACER)


def current_trace_headers() -> dict[str, str]:
    """The current trace context as message headers (empty outside a span)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def continued_span(name: str, headers: Mapping[str, object] | None) -> Iterator[trace.Span]:
    """A consumer span that continues the trace carried in a message's headers."""
    carrier = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in (headers or {}).items()}
    token = context.attach(propagate.extract(carrier))
    try:
        with tracer().start_as_current_span(name, kind=trace.SpanKind.CONSUMER) as span:
            yield span
    finally:
        context.detach(token)
