"""Trending: its contract is served, its implementation is not built yet.

Every call answers UNIMPLEMENTED with a message that says so, so that
clients and grpcurl see the full mesh and nobody mistakes it for a result.
"""

from chirp.trending.v1 import trending_service_pb2 as trending_pb
from chirp.trending.v1 import trending_service_pb2_grpc as trending_grpc
from services.common.kernel.errors import NotImplementedYet
from services.common.rpc.server import Registration


class UnbuiltTrending(trending_grpc.TrendingServiceServicer):
    async def ListTrendingHashtags(self, request, context):
        raise NotImplementedYet("TrendingService is not built yet: its contract is final, its counters arrive in a later release")


def registrations() -> list[Registration]:
    return [
        Registration.of(
            trending_pb, "TrendingService", trending_grpc.add_TrendingServiceServicer_to_server, UnbuiltTrending()
        ),
    ]
