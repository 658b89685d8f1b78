"""What crosses the REST edge, seen from a gRPC server behind the gateway: the deadline, the forwarded
metadata (and what never is), and every gRPC failure as grpc-gateway's HTTP status."""

import asyncio

import grpc
import httpx
import pytest
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from chirp.snowflake.v1 import snowflake_service_pb2 as snowflake_pb
from chirp.snowflake.v1 import snowflake_service_pb2_grpc as snowflake_grpc
from services.common.rpc.server import Registration, create_server
from services.gateway.edge import open_edge
from services.registry import NAMES

SLOW_ID, RECORDED_ID, FAILING_BASE = 1, 7, 1000  # DecodeId of 1000 + a code fails with that code


class RecordingSnowflake(snowflake_grpc.SnowflakeServiceServicer):
    """DecodeId (the one Snowflake RPC the edge exposes): records what id 7 was sent with, fails with the code
    id 1000 + code names, and takes half a second on id 1."""

    def __init__(self):
        self.seen: list[tuple[float | None, dict[str, str]]] = []

    async def DecodeId(self, request, context):
        if request.id == SLOW_ID:
            await asyncio.sleep(0.5)
        elif request.id >= FAILING_BASE:
            await context.abort_with_status(rpc_status.to_status(_failure(request.id - FAILING_BASE)))
        self.seen.append((context.time_remaining(), dict(context.invocation_metadata())))
        return snowflake_pb.DecodeIdResponse()


def _failure(code: int) -> status_pb2.Status:
    status = status_pb2.Status(code=code, message=f"failed with code {code}")
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]:
        retry = error_details_pb2.RetryInfo()
        retry.retry_delay.FromMilliseconds(1_500)
        status.details.append(_packed(retry))
    return status


def _packed(message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


@pytest.fixture
async def edge():
    servicer = RecordingSnowflake()
    registration = Registration.of(snowflake_pb, "SnowflakeService", snowflake_grpc.add_SnowflakeServiceServicer_to_server, servicer)
    server = await create_server("127.0.0.1:0", [registration])
    gateway = await open_edge("127.0.0.1:0", {name: f"127.0.0.1:{server.port}" for name in NAMES})
    try:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
            yield client, servicer
    finally:
        await gateway.close()
        await server.stop(0)


async def test_the_clients_deadline_reaches_the_service(edge):
    client, servicer = edge
    await client.get(f"/v1/ids/{RECORDED_ID}:decode", headers={"Grpc-Timeout": "2S"})
    await client.get(f"/v1/ids/{RECORDED_ID}:decode")
    (given, _), (default, _) = servicer.seen
    assert 1.5 < given <= 2.1 and 4.5 < default <= 5.1  # gRPC rounds a timeout up on the wire


async def test_a_deadline_that_passes_is_504(edge):
    client, _ = edge
    response = await client.get(f"/v1/ids/{SLOW_ID}:decode", headers={"Grpc-Timeout": "100m"})
    assert response.status_code == 504 and response.json()["code"] == grpc.StatusCode.DEADLINE_EXCEEDED.value[0]


async def test_authorization_and_the_client_address_are_forwarded_and_identity_headers_are_not(edge):
    client, servicer = edge
    headers = {"Authorization": "Bearer a.b.c", "X-Forwarded-For": "203.0.113.9", "chirp-user-id": "42",
               "Grpc-Metadata-Chirp-User-Id": "42", "Cookie": "session=1"}  # fmt: skip
    await client.get(f"/v1/ids/{RECORDED_ID}:decode", headers=headers)
    _, metadata = servicer.seen[0]
    assert metadata["authorization"] == "Bearer a.b.c"
    assert metadata["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"
    assert "chirp-user-id" not in metadata and "cookie" not in metadata


@pytest.mark.parametrize("code, http", [("INVALID_ARGUMENT", 400), ("FAILED_PRECONDITION", 400), ("OUT_OF_RANGE", 400), ("UNAUTHENTICATED", 401),
                                        ("PERMISSION_DENIED", 403), ("NOT_FOUND", 404), ("ALREADY_EXISTS", 409), ("ABORTED", 409),
                                        ("RESOURCE_EXHAUSTED", 429), ("UNAVAILABLE", 503), ("DEADLINE_EXCEEDED", 504), ("UNIMPLEMENTED", 501),
                                        ("INTERNAL", 500), ("UNKNOWN", 500), ("DATA_LOSS", 500), ("CANCELLED", 499)])  # fmt: skip
async def test_grpc_failures_over_http(edge, code, http):
    client, _ = edge
    number = grpc.StatusCode[code].value[0]
    response = await client.get(f"/v1/ids/{FAILING_BASE + number}:decode")
    assert response.status_code == http
    body = response.json()
    assert (body["code"], body["message"]) == (number, f"failed with code {number}")
    if code == "RESOURCE_EXHAUSTED":
        assert response.headers["retry-after"] == "2"
        assert body["details"] == [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.500s"}]
