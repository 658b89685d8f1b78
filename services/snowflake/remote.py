"""Snowflake ids over gRPC, for services that run apart from the Snowflake service (an IdSource)."""

import grpc

from chirp.snowflake.v1 import snowflake_service_pb2 as pb
from chirp.snowflake.v1 import snowflake_service_pb2_grpc as pb_grpc
from services.common.rpc.remote import INTERNAL_CALL_SECONDS, calling


class RemoteIds:
    def __init__(self, channel: grpc.aio.Channel):
        self._stub = pb_grpc.SnowflakeServiceStub(channel)

    async def next_id(self) -> int:
        with calling("snowflake"):
            return (await self._stub.NextId(pb.NextIdRequest(), timeout=INTERNAL_CALL_SECONDS)).id
