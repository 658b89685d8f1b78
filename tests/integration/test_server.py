"""What SREs rely on: grpc.health.v1 and server reflection (v1 and v1alpha) on the mesh's one address."""

import grpc
from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from tests.conftest import LiveMesh

# v1 has v1alpha's messages and field numbers under another package, so v1alpha's classes encode v1 requests.
V1_METHOD = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"

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
    assert {"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"} <= names


async def ask_v1(target: str, request: reflection_pb2.ServerReflectionRequest) -> reflection_pb2.ServerReflectionResponse:
    async with grpc.aio.insecure_channel(target) as channel:
        info = channel.stream_stream(
            V1_METHOD,
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
        )
        return [r async for r in info(iter([request]))][0]


async def test_v1_reflection_lists_the_same_services(live: LiveMesh):
    response = await ask_v1(live.target, reflection_pb2.ServerReflectionRequest(list_services=""))
    names = {s.name for s in response.list_services_response.service}
    assert CHIRP_SERVICES | {"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"} <= names


async def test_v1_reflection_describes_chirp_services_and_itself(live: LiveMesh):
    for symbol, file_name in [
        ("chirp.tweet.v1.TweetService", "chirp/tweet/v1/tweet_service.proto"),
        ("grpc.reflection.v1.ServerReflection", "grpc/reflection/v1/reflection.proto"),
    ]:
        response = await ask_v1(live.target, reflection_pb2.ServerReflectionRequest(file_containing_symbol=symbol))
        files = [descriptor_pb2.FileDescriptorProto.FromString(b) for b in response.file_descriptor_response.file_descriptor_proto]
        assert file_name in {f.name for f in files}, symbol


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
