"""Search: its contract is served, its implementation is not built yet.

Every call answers UNIMPLEMENTED with a message that says so, so that
clients and grpcurl see the full mesh and nobody mistakes it for a result.
"""

from chirp.search.v1 import search_service_pb2 as search_pb
from chirp.search.v1 import search_service_pb2_grpc as search_grpc
from services.common.kernel.errors import NotImplementedYet
from services.common.rpc.server import Registration


class UnbuiltSearch(search_grpc.SearchServiceServicer):
    async def SearchTweets(self, request, context):
        raise NotImplementedYet("SearchService is not built yet: its contract is final, its index arrives in a later release")


def registrations() -> list[Registration]:
    return [
        Registration.of(search_pb, "SearchService", search_grpc.add_SearchServiceServicer_to_server, UnbuiltSearch()),
    ]
