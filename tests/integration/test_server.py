"""What SREs rely on: grpc.health.v1 and server reflection on the mesh's one address."""

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from tests.conftest import LiveMesh

CHIRP_SERVICES = {
    f"chirp.{name}.v1.{name.capitalize()}Service" for name in ("snowflake", "graph", "tweet", "timeline", "fanout", "search")
} | {"chirp.trending.v1.TrendingService"}


async def test_reflection_lists_all_seven_services_with_health_and_reflection(live: LiveMesh):
    async with grpc.aio.insecure_channel(live.target) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        async for response in stub.ServerReflectionInfo(iter([request])):
            names = {s.name for s in response.list_services_response.service}
    assert CHIRP_SERVICES <= names
    assert {"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names


async def test_reflection_describes_a_service_so_grpcurl_can_call_it(live: LiveMesh):
    async with grpc.aio.insecure_channel(live.target) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(file_containing_symbol="chirp.tweet.v1.TweetService")
        responses = [r async for r in stub.ServerReflectionInfo(iter([request]))]
    assert len(responses) == 1
    assert responses[0].file_descriptor_response.file_descriptor_proto


async def test_every_service_and_the_server_report_serving(live: LiveMesh):
    async with grpc.aio.insecure_channel(live.target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for name in ["", *CHIRP_SERVICES]:
            response = await stub.Check(health_pb2.HealthCheckRequest(service=name))
            assert response.status == health_pb2.HealthCheckResponse.SERVING, name
