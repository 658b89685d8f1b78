"""A real OTLP/gRPC trace receiver for tests: the collector's TraceService (from `opentelemetry-proto`), keeping every span."""

from dataclasses import dataclass, field

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.trace.v1 import trace_pb2


@dataclass(frozen=True)
class ReceivedSpan:
    service: str  # the resource's service.name
    span: trace_pb2.Span

    @property
    def name(self) -> str:
        return self.span.name


@dataclass
class OtlpReceiver(trace_service_pb2_grpc.TraceServiceServicer):
    spans: list[ReceivedSpan] = field(default_factory=list)
    server: grpc.aio.Server | None = None
    port: int = 0

    async def Export(self, request: trace_service_pb2.ExportTraceServiceRequest, context) -> trace_service_pb2.ExportTraceServiceResponse:
        for resource_spans in request.resource_spans:
            names = [a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"]
            for scope_spans in resource_spans.scope_spans:
                self.spans.extend(ReceivedSpan(names[0] if names else "", span) for span in scope_spans.spans)
        return trace_service_pb2.ExportTraceServiceResponse()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def trace(self, trace_id: bytes) -> list[ReceivedSpan]:
        return [s for s in self.spans if s.span.trace_id == trace_id]

    async def start(self) -> "OtlpReceiver":
        self.server = grpc.aio.server()
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(self, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        await self.server.start()
        return self

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop(0)
