"""Finished spans, captured in memory for a test."""

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.common.runtime.tracing import configure_tracing


def capture_spans() -> InMemorySpanExporter:
    """An exporter that receives every span finished from now on in this process."""
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):  # another test configured tracing first: the provider is set once
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        configure_tracing(exporter=exporter)
    return exporter
