"""SnowflakeService over gRPC."""

import grpc

from chirp.snowflake.v1 import snowflake_service_pb2 as pb
from chirp.snowflake.v1 import snowflake_service_pb2_grpc as pb_grpc
from services.common.kernel.ids import decode
from services.common.rpc.server import Registration
from services.snowflake.domain import SnowflakeGenerator


class SnowflakeServicer(pb_grpc.SnowflakeServiceServicer):
    def __init__(self, generator: SnowflakeGenerator):
        self._generator = generator

    async def NextId(self, request: pb.NextIdRequest, context: grpc.aio.ServicerContext) -> pb.NextIdResponse:
        return pb.NextIdResponse(id=await self._generator.next_id())

    async def NextIds(self, request: pb.NextIdsRequest, context: grpc.aio.ServicerContext) -> pb.NextIdsResponse:
        return pb.NextIdsResponse(ids=await self._generator.next_ids(request.count))

    async def DecodeId(self, request: pb.DecodeIdRequest, context: grpc.aio.ServicerContext) -> pb.DecodeIdResponse:
        parts = decode(request.id)
        response = pb.DecodeIdResponse(worker_id=parts.worker_id, sequence=parts.sequence)
        response.create_time.FromDatetime(parts.created_at)
        return response


def registration(generator: SnowflakeGenerator) -> Registration:
    return Registration.of(pb, "SnowflakeService", pb_grpc.add_SnowflakeServiceServicer_to_server, SnowflakeServicer(generator))
