"""The gateway's edges: HTTP codes of gRPC failures, Retry-After, the deadline header, forwarded metadata."""

import json

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from services.gateway.deadline import DEFAULT_SECONDS, deadline_seconds
from services.gateway.errors import from_rpc_error, status_json
from services.gateway.forwarding import forwarded_metadata

EXPECTED_HTTP = {"INVALID_ARGUMENT": 400, "FAILED_PRECONDITION": 400, "OUT_OF_RANGE": 400, "UNAUTHENTICATED": 401, "PERMISSION_DENIED": 403,
                 "NOT_FOUND": 404, "ALREADY_EXISTS": 409, "ABORTED": 409, "RESOURCE_EXHAUSTED": 429, "UNAVAILABLE": 503,
                 "DEADLINE_EXCEEDED": 504, "UNIMPLEMENTED": 501, "INTERNAL": 500, "UNKNOWN": 500, "DATA_LOSS": 500, "CANCELLED": 499}  # fmt: skip


def rpc_error(code: grpc.StatusCode, message: str, *details) -> grpc.aio.AioRpcError:
    status = status_pb2.Status(code=code.value[0], message=message)
    for detail in details:
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)
    trailing = rpc_status.to_status(status).trailing_metadata if details else ()
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(*trailing), details=message)


@pytest.mark.parametrize("name, http", EXPECTED_HTTP.items())
def test_grpc_codes_map_to_grpc_gateways_http_codes(name, http):
    failure = from_rpc_error(rpc_error(grpc.StatusCode[name], "why"))
    assert failure.http_status == http
    assert json.loads(status_json(failure.status)) == {"code": grpc.StatusCode[name].value[0], "message": "why", "details": []}


def test_retry_info_becomes_retry_after_in_whole_seconds_and_stays_a_detail():
    retry = error_details_pb2.RetryInfo()
    retry.retry_delay.FromMilliseconds(2_300)
    failure = from_rpc_error(rpc_error(grpc.StatusCode.RESOURCE_EXHAUSTED, "slow down", retry))
    assert failure.http_status == 429 and failure.headers == {"retry-after": "3"}
    body = json.loads(status_json(failure.status))
    assert body["code"] == code_pb2.RESOURCE_EXHAUSTED
    assert body["details"] == [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2.300s"}]


@pytest.mark.parametrize("header, seconds", [(None, DEFAULT_SECONDS), ("2S", 2), ("500m", 0.5), ("1H", 3600), ("3M", 180),
                                             ("100u", 1e-4), ("7n", 7e-9), ("99999999m", 99999.999)])  # fmt: skip
def test_grpc_timeout_header(header, seconds):
    assert deadline_seconds(header) == pytest.approx(seconds)


@pytest.mark.parametrize("header", ["", "5", "5s", "-1S", "123456789S", "1.5S", "S"])
def test_malformed_grpc_timeout_is_refused(header):
    with pytest.raises(ValueError, match="Grpc-Timeout"):
        deadline_seconds(header)


def test_only_authorization_and_the_forwarded_chain_pass_the_edge():
    headers = {"authorization": "Bearer abc", "chirp-user-id": "1", "x-forwarded-for": "10.0.0.1", "cookie": "x"}
    assert forwarded_metadata(headers, "127.0.0.1") == (("authorization", "Bearer abc"), ("x-forwarded-for", "10.0.0.1, 127.0.0.1"))
    assert forwarded_metadata({}, "127.0.0.1") == (("x-forwarded-for", "127.0.0.1"),)


def test_an_identity_header_never_passes_the_edge():
    metadata = forwarded_metadata({"authorization": "Bearer jwt", "chirp-user-id": "42"}, None)
    assert ("authorization", "Bearer jwt") in metadata and all(key != "chirp-user-id" for key, _ in metadata)
