"""A tracer provider whose spans cost next to nothing when the sampler could only drop them.

The SDK's start_span asks the sampler (which builds a result), draws ids and makes a span even for a call it drops,
and the instrumentations (gRPC clients, Redis, asyncpg) and our own spans call it on every call. With a parent-based
sampler whose unsampled parents drop their children (the default, and the chart's), a span under an unsampled parent
is dropped whatever it is: it is answered with that parent, non-recording, so what it calls stays in the caller's
unsampled trace. When the root sampler keeps nothing (always_off, or a ratio of 0), a span without a parent is
dropped too: it gets the invalid span (no trace: what it calls starts none and sends no traceparent, which a
downstream sampler of the same kind drops as well). A sampled parent's children, and any other sampler, take the SDK's path.
"""

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace import Tracer as SdkTracer
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, Sampler, TraceIdRatioBased


class QuietTracerProvider(TracerProvider):
    def get_tracer(self, *args, **kwargs) -> trace.Tracer:
        tracer = super().get_tracer(*args, **kwargs)
        if not isinstance(tracer, SdkTracer) or not drops_unsampled_parents(self.sampler):
            return tracer
        return QuietTracer(tracer, drops_roots(self.sampler))


def drops_unsampled_parents(sampler: Sampler) -> bool:
    return isinstance(sampler, ParentBased) and sampler._remote_parent_not_sampled is ALWAYS_OFF and sampler._local_parent_not_sampled is ALWAYS_OFF


def drops_roots(sampler: ParentBased) -> bool:
    root = sampler._root
    return root is ALWAYS_OFF or (isinstance(root, TraceIdRatioBased) and root.bound == 0)


class QuietTracer(trace.Tracer):
    """The SDK's tracer (`sdk`), except for the spans its sampler could only drop."""

    def __init__(self, sdk: SdkTracer, roots_dropped: bool):
        self.sdk, self.roots_dropped = sdk, roots_dropped

    def _dropped(self, context: otel_context.Context | None) -> trace.Span | None:
        parent = trace.get_current_span(context)
        span_context = parent.get_span_context()
        if span_context.is_valid:
            return None if span_context.trace_flags.sampled else parent
        return trace.INVALID_SPAN if self.roots_dropped else None

    def start_span(self, name, context=None, *args, **kwargs) -> trace.Span:
        dropped = self._dropped(context)
        return self.sdk.start_span(name, context, *args, **kwargs) if dropped is None else dropped

    def start_as_current_span(self, name, context=None, *args, **kwargs):
        dropped = self._dropped(context)
        if dropped is None:
            return self.sdk.start_as_current_span(name, context, *args, **kwargs)
        return trace.use_span(dropped, end_on_exit=False)
