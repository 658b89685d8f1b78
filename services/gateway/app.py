"""The gateway as a bare ASGI application: route, transcode, call over gRPC, answer in JSON.

It holds one grpc.aio channel per service (opened by its owner) and one
method callable per binding. GET /openapi.json serves the OpenAPI
document of exactly these bindings. The template of the binding that
answers is left in the scope (ROUTE), for the metrics' label.
"""

import logging
from urllib.parse import parse_qsl

import grpc
from google.rpc import code_pb2

from services.gateway.deadline import HEADER as DEADLINE_HEADER
from services.gateway.deadline import deadline_seconds
from services.gateway.errors import HttpFailure, from_rpc_error, status_json
from services.gateway.forwarding import forwarded_metadata
from services.gateway.routes import Router
from services.gateway.rules import Binding
from services.gateway.transcode import BadRequest, build_request, render_response, response_class

log = logging.getLogger("chirp.gateway")

REQUESTS_KEPT = 1_024  # serialized requests of bodiless calls remembered; when full, the memory starts over
MAX_BODY_BYTES = 1 << 20  # the services' own gRPC request limit
OPENAPI_PATH = "/openapi.json"
ROUTE = "chirp.route"  # the scope key where the answering binding's template is left for the wrapper that measures (measured.py)
_JSON = (b"content-type", b"application/json")


class Gateway:
    def __init__(self, bindings: list[Binding], channels: dict[str, grpc.aio.Channel], openapi: bytes,
                 max_body_bytes: int = MAX_BODY_BYTES):  # fmt: skip
        self.router = Router(bindings)
        self.calls = {b: _callable(channels[b.service], b) for b in bindings}
        self.built: dict[tuple[str, str, bytes], bytes] = {}
        self.openapi = openapi
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            return await _lifespan(receive, send)
        if scope["type"] != "http":
            return
        try:
            status, body, headers = 200, await self._answer(scope, receive), {}
        except HttpFailure as failure:
            status, body, headers = failure.http_status, status_json(failure.status), failure.headers
        except Exception:
            log.exception("gateway: unexpected failure on %s %s", scope["method"], scope["path"])
            failure = HttpFailure(500, code_pb2.INTERNAL, "the gateway failed unexpectedly; its log has the details")
            status, body, headers = 500, status_json(failure.status), {}
        extra = [(k.encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status,
                    "headers": [_JSON, (b"content-length", str(len(body)).encode()), *extra]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, scope, receive) -> bytes:
        path, method = scope.get("raw_path", scope["path"].encode()).decode("latin-1"), scope["method"]
        if path == OPENAPI_PATH and method == "GET":
            return self.openapi
        binding, values = self.router.route(method, path)
        scope[ROUTE] = binding.template.source
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        body = await self._read_body(receive, headers)
        try:
            request = self._request_bytes(binding, values, scope, body, path)
            timeout = deadline_seconds(headers.get(DEADLINE_HEADER))
        except (BadRequest, ValueError) as error:
            raise HttpFailure(400, code_pb2.INVALID_ARGUMENT, str(error)) from None
        client = scope.get("client")
        metadata = forwarded_metadata(headers, client[0] if client else None)
        try:
            response = await self.calls[binding](request, timeout=timeout, metadata=metadata)
        except grpc.aio.AioRpcError as error:
            raise from_rpc_error(error) from None
        return render_response(binding, response)

    def _request_bytes(self, binding: Binding, values: dict[str, str], scope, body: bytes, raw_path: str) -> bytes:
        """The serialized request. Without a body it depends only on the method, raw path and query (a first home page
        is the same request for every reader: the reader is the token's), so it is built once for them and remembered."""
        if body:
            return build_request(binding, values, _query(scope), body).SerializeToString()
        key = (scope["method"], raw_path, scope.get("query_string", b""))
        built = self.built.get(key)
        if built is None:
            built = build_request(binding, values, _query(scope), body).SerializeToString()
            if len(self.built) >= REQUESTS_KEPT:
                self.built.clear()
            self.built[key] = built
        return built

    async def _read_body(self, receive, headers: dict[str, str]) -> bytes:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise self._too_large()
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise self._too_large()
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    def _too_large(self) -> HttpFailure:
        return HttpFailure(413, code_pb2.RESOURCE_EXHAUSTED, f"the body is over the gateway's limit of {self.max_body_bytes} bytes")


def _callable(channel: grpc.aio.Channel, binding: Binding):
    return channel.unary_unary(binding.rpc, response_deserializer=response_class(binding).FromString)  # requests go serialized


def _query(scope) -> list[tuple[str, str]]:
    raw = scope.get("query_string", b"").decode("latin-1")
    try:
        return parse_qsl(raw, keep_blank_values=True, strict_parsing=bool(raw), errors="strict")
    except (ValueError, UnicodeDecodeError) as error:
        raise HttpFailure(400, code_pb2.INVALID_ARGUMENT, f"the query string is malformed: {error}") from None


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
