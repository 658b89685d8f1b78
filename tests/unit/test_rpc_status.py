"""The one layer every server serves calls through: an RPC the contract names but the server does not serve is UNIMPLEMENTED, not INTERNAL."""

import grpc
import pytest

from chirp.snowflake.v1 import snowflake_service_pb2 as snowflake_pb
from chirp.snowflake.v1 import snowflake_service_pb2_grpc as snowflake_grpc
from services.common.rpc.served import ServedCalls

METHOD = "/chirp.snowflake.v1.SnowflakeService/DecodeId"


class Aborted(Exception):
    pass


class FakeContext:
    """What the generated servicer and the serving layer touch of a ServicerContext."""

    def __init__(self):
        self.status, self.details = None, None

    def invocation_metadata(self):
        return ()

    def code(self):
        return self.status

    def set_code(self, code):
        self.status = code

    def set_details(self, details):
        self.details = details

    async def abort(self, code, details="", trailing_metadata=()):
        self.status, self.details = code, details
        raise Aborted


class Call:
    method = METHOD


async def guarded(behaviour) -> grpc.RpcMethodHandler:
    async def continuation(_details):
        return grpc.unary_unary_rpc_method_handler(behaviour)

    return await ServedCalls().intercept_service(continuation, Call())


async def test_an_rpc_the_servicer_leaves_to_its_generated_base_is_unimplemented_and_says_which():
    handler = await guarded(snowflake_grpc.SnowflakeServiceServicer().DecodeId)  # raises NotImplementedError
    context = FakeContext()
    with pytest.raises(Aborted):
        await handler.unary_unary(snowflake_pb.DecodeIdRequest(id=1), context)
    assert context.status == grpc.StatusCode.UNIMPLEMENTED
    assert context.details == f"{METHOD} is not implemented by this server"


async def test_any_other_unexpected_failure_stays_internal():
    async def broken(request, context):
        raise KeyError("a bug")

    handler, context = await guarded(broken), FakeContext()
    with pytest.raises(Aborted):
        await handler.unary_unary(snowflake_pb.DecodeIdRequest(id=1), context)
    assert context.status == grpc.StatusCode.INTERNAL
