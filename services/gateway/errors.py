"""Failures as HTTP: a JSON google.rpc.Status body and grpc-gateway's status code for each gRPC code.

The body is `{"code": <gRPC code number>, "message": ..., "details": [...]}`,
details in the JSON mapping with their `@type`. A RESOURCE_EXHAUSTED that
carries a google.rpc.RetryInfo also gets a `Retry-After` header: its delay
in whole seconds, rounded up.
"""

import json
import math

import grpc
from google.protobuf import json_format
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

# runtime.HTTPStatusFromCode in grpc-gateway.
HTTP_STATUS = {
    code_pb2.OK: 200,
    code_pb2.CANCELLED: 499,
    code_pb2.UNKNOWN: 500,
    code_pb2.INVALID_ARGUMENT: 400,
    code_pb2.DEADLINE_EXCEEDED: 504,
    code_pb2.NOT_FOUND: 404,
    code_pb2.ALREADY_EXISTS: 409,
    code_pb2.PERMISSION_DENIED: 403,
    code_pb2.UNAUTHENTICATED: 401,
    code_pb2.RESOURCE_EXHAUSTED: 429,
    code_pb2.FAILED_PRECONDITION: 400,
    code_pb2.ABORTED: 409,
    code_pb2.OUT_OF_RANGE: 400,
    code_pb2.UNIMPLEMENTED: 501,
    code_pb2.INTERNAL: 500,
    code_pb2.UNAVAILABLE: 503,
    code_pb2.DATA_LOSS: 500,
}


class HttpFailure(Exception):
    """A failure the gateway answers itself, before or instead of a gRPC call."""

    def __init__(self, http_status: int, code: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status_pb2.Status(code=code, message=message)
        self.http_status = http_status
        self.headers = headers or {}


def from_rpc_error(error: grpc.aio.AioRpcError) -> HttpFailure:
    status = _rich_status(error)
    failure = HttpFailure(HTTP_STATUS.get(status.code, 500), status.code, status.message)
    failure.status = status
    delay = _retry_delay_seconds(status)
    if delay is not None:
        failure.headers["retry-after"] = str(delay)
    return failure


def status_json(status: status_pb2.Status) -> bytes:
    body = json_format.MessageToDict(status, always_print_fields_with_no_presence=True)
    return json.dumps(body, separators=(",", ":")).encode()


def _rich_status(error: grpc.aio.AioRpcError) -> status_pb2.Status:
    try:
        rich = rpc_status.from_call(error)
    except ValueError:  # details that disagree with the code and message: keep the plain ones
        rich = None
    if rich is not None:
        return rich
    return status_pb2.Status(code=error.code().value[0], message=error.details() or "")


def _retry_delay_seconds(status: status_pb2.Status) -> int | None:
    for detail in status.details:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            return max(1, math.ceil(info.retry_delay.ToMilliseconds() / 1000))
    return None
