"""Tracing, switched on by the standard OTEL_* variables; off (no provider, no instrumentation) otherwise.

OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) sends
spans over OTLP/gRPC in batches; OTEL_TRACES_EXPORTER chooses otlp,
console or none; OTEL_SERVICE_NAME names the process (chirp-<service> by
default); OTEL_TRACES_SAMPLER and its argument choose the sampler;
OTEL_SDK_DISABLED=true turns it all off. Once on, every gRPC call gets a
server span (server_spans.py: lean when unsampled) and a client span, and Redis and PostgreSQL (asyncpg) calls spans
of their own; RabbitMQ publishes and deliveries get theirs from the bus. A span the sampler could only drop (under an
unsampled caller, or any at a parent-based ratio of 0 without a sampled caller) costs next to nothing
(runtime/quiet_spans.py), and the trace context still goes on to what the call calls.
"""

import os

from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.grpc import GrpcAioInstrumentorClient
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource

from services.common.runtime.tracing import configure_tracing
from services.common.telemetry import server_spans

ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
INSTRUMENTORS = (GrpcAioInstrumentorClient, RedisInstrumentor, AsyncPGInstrumentor)  # servers: server_spans.py


def chosen_exporter() -> str:
    """otlp, console or none: OTEL_TRACES_EXPORTER, else otlp when an endpoint is set; none when disabled, or
    when the sampler records nothing whatever the caller (always_off, traceidratio 0), so sampling off costs nothing."""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true" or keeps_nothing():
        return "none"
    default = "otlp" if any(os.environ.get(name) for name in ENDPOINTS) else "none"
    return os.environ.get("OTEL_TRACES_EXPORTER", default).strip().lower() or default


def keeps_nothing() -> bool:
    """Whether OTEL_TRACES_SAMPLER never keeps a span, a sampled caller's included (parent-based samplers keep those)."""
    sampler = os.environ.get("OTEL_TRACES_SAMPLER", "").strip().lower()
    if sampler == "always_off":
        return True
    try:
        return sampler == "traceidratio" and float(os.environ.get("OTEL_TRACES_SAMPLER_ARG", "1")) <= 0
    except ValueError:
        return False  # the SDK falls back to a ratio of 1


def start_tracing(service_name: str, console: bool = False) -> bool:
    """Installs tracing as the environment asks (console also when CHIRP_TRACE_CONSOLE is set); whether it is on."""
    exporter = chosen_exporter()
    if exporter == "none" and not console:
        return False
    resource = Resource.create({SERVICE_NAME: service_name})  # OTEL_SERVICE_NAME, when set, wins
    configure_tracing(OTLPSpanExporter() if exporter == "otlp" else None, console or exporter == "console", resource, batch=True)
    for instrumentor in INSTRUMENTORS:
        instrumentor().instrument()
    server_spans.switch_on()
    return True
