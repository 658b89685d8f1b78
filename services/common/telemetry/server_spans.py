"""A server span for each unary gRPC call, lean when the call is not sampled.

The instrumentation's own aio interceptor (opentelemetry-instrumentation-grpc)
builds the span's attributes (parsing the peer and the metadata) and wraps
the servicer context in a proxy on every call, and only then lets the
sampler drop the span. This one starts the span first. An unsampled call
gets a non-recording span made current (so what it calls stays unsampled and
still carries the trace context) and nothing more; a sampled call gets the
instrumentation's attributes, status handling and context wrapper. The
samplers OTEL_TRACES_SAMPLER offers (always_on, traceidratio, parentbased_*)
don't read attributes, so setting them after the start changes no decision.
For a parent-based ratio sampler (the chart's), even the start is skipped when
the call will not be kept: QuietCalls answers as the sampler would, from the
caller's flag or from the very trace id the span would get; at a ratio of 0, a
call that brings no trace runs as it would untraced (nothing it calls could be
kept: see runtime/quiet_spans.py). Streaming
handlers (health Watch) are left untraced.
"""

from dataclasses import dataclass

import grpc
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.instrumentation.grpc import __version__
from opentelemetry.instrumentation.grpc._aio_server import _OpenTelemetryAioServicerContext
from opentelemetry.instrumentation.utils import is_instrumentation_enabled
from opentelemetry.sdk.trace import Tracer as SdkTracer
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, TraceIdRatioBased
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

_switched_on = False


def switch_on() -> None:
    """From now on, servers this process creates trace their calls (start_tracing calls it)."""
    global _switched_on
    _switched_on = True


def server_spans() -> "ServerSpans | None":
    """What a new server wraps its calls' behaviour in, when tracing is on."""
    return ServerSpans() if _switched_on else None


class ServerSpans:
    """Not an interceptor of its own: the one serving layer (rpc/served.py) is wrapped in it (one layer less per call)."""

    def __init__(self):
        self._tracer = trace.get_tracer("opentelemetry.instrumentation.grpc", __version__)
        self._fields = frozenset(propagate.get_global_textmap().fields)
        self._quiet = QuietCalls.of(self._tracer)

    def wrap(self, behaviour, full_method: str):
        async def spanned(request, context: grpc.aio.ServicerContext):
            if not is_instrumentation_enabled():
                return await behaviour(request, context)
            parent = self._remote_context(context)
            if parent is None and self._quiet is not None and self._quiet.bound == 0:
                return await behaviour(request, context)
            unsampled = self._quiet.context(parent) if self._quiet else None
            if unsampled is not None:
                token = otel_context.attach(unsampled)
                try:
                    return await behaviour(request, context)
                finally:
                    otel_context.detach(token)
            span = self._tracer.start_span(full_method, context=parent, kind=trace.SpanKind.SERVER)
            token = otel_context.attach(trace.set_span_in_context(span, parent))
            try:
                if not span.is_recording():
                    return await behaviour(request, context)
                span.set_attributes(_attributes(full_method, context))
                return await behaviour(request, _OpenTelemetryAioServicerContext(context, span))
            except Exception as error:
                if type(error) is not Exception:  # a bare Exception is an abort, which the context wrapper recorded
                    span.record_exception(error)
                raise
            finally:
                otel_context.detach(token)
                span.end()

        return spanned

    def _remote_context(self, context: grpc.aio.ServicerContext) -> otel_context.Context | None:
        carrier = {m.key: m.value for m in context.invocation_metadata() or () if m.key in self._fields}
        return propagate.extract(carrier) if carrier else None


def _attributes(full_method: str, context: grpc.aio.ServicerContext) -> dict[str, str | int]:
    """What the instrumentation records on a server span (its semantic conventions, 1.11)."""
    service, _, method = full_method.lstrip("/").partition("/")
    attributes: dict[str, str | int] = {"rpc.system": "grpc", "rpc.grpc.status_code": grpc.StatusCode.OK.value[0],
                                        "rpc.method": method, "rpc.service": service}  # fmt: skip
    agent = next((m.value for m in context.invocation_metadata() or () if m.key == "user-agent"), None)
    if agent:
        attributes["rpc.user_agent"] = agent
    peer = context.peer() or ""
    if not peer.startswith("unix:") and ":" in peer:
        ip, _, port = peer.split(",")[0].split(":", 1)[1].rpartition(":")
        attributes |= {"net.peer.ip": ip, "net.peer.port": port}
        if ip in ("[::1]", "127.0.0.1"):
            attributes["net.peer.name"] = "localhost"
    return attributes


class _Predrawn(IdGenerator):
    """The provider's ids, except a trace id drawn just before: the ratio sampler then decides on the id we tested."""

    def __init__(self, ids: IdGenerator):
        self.ids, self.next_trace_id = ids, 0

    def generate_span_id(self) -> int:
        return self.ids.generate_span_id()

    def generate_trace_id(self) -> int:
        drawn, self.next_trace_id = self.next_trace_id, 0
        return drawn or self.ids.generate_trace_id()

    def is_trace_id_random(self) -> bool:
        return self.ids.is_trace_id_random()


@dataclass
class QuietCalls:
    """Answers, without the SDK's start_span (its sampler builds results and attributes), whether a call's span would
    be dropped, for the samplers it knows: parent-based (an unsampled remote parent drops it) over a trace id ratio
    (a root is kept when its trace id falls under the ratio's bound). The trace id tested is the one the span gets."""

    ids: _Predrawn
    bound: int | None  # the root's TraceIdRatioBased bound; None: another root sampler (roots take the SDK's path)

    @classmethod
    def of(cls, tracer: trace.Tracer) -> "QuietCalls | None":
        tracer = getattr(tracer, "sdk", tracer)  # a QuietTracer's own
        sampler = getattr(tracer, "sampler", None)
        not_sampled = getattr(sampler, "_remote_parent_not_sampled", None)
        if not isinstance(tracer, SdkTracer) or not isinstance(sampler, ParentBased) or not_sampled is not ALWAYS_OFF:
            return None
        root = getattr(sampler, "_root", None)
        tracer.id_generator = ids = _Predrawn(tracer.id_generator)
        return cls(ids, root.bound if isinstance(root, TraceIdRatioBased) else None)

    def context(self, parent: otel_context.Context | None) -> otel_context.Context | None:
        """The context an unsampled call runs in; None when the call is sampled (or the SDK must say)."""
        remote = trace.get_current_span(parent).get_span_context() if parent is not None else None
        if remote is not None and remote.is_valid:
            return None if remote.trace_flags.sampled else parent  # its children see the unsampled parent, as the SDK's would
        if self.bound is None:
            return None
        trace_id = self.ids.ids.generate_trace_id()
        if trace_id & TraceIdRatioBased.TRACE_ID_LIMIT < self.bound:
            self.ids.next_trace_id = trace_id  # sampled: start_span, next and on this same loop step, takes this id
            return None
        unsampled = SpanContext(trace_id, self.ids.generate_span_id(), is_remote=False, trace_flags=TraceFlags(TraceFlags.DEFAULT))
        return trace.set_span_in_context(NonRecordingSpan(unsampled), parent)
