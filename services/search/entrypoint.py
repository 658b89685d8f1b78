"""SearchService over gRPC."""

import hashlib

import grpc

from chirp.search.v1 import search_service_pb2 as pb
from chirp.search.v1 import search_service_pb2_grpc as pb_grpc
from services.common.kernel.pagination import PageLimits, PageTokens
from services.common.rpc.auth import acting_user
from services.common.rpc.server import Registration
from services.common.rpc.wire import repeated_messages
from services.search.domain import IndexState, Order
from services.search.service import SearchService

SEARCH_PAGES = PageLimits(default=20, maximum=100)
_TWEETS = pb.SearchTweetsResponse.TWEETS_FIELD_NUMBER
_STATES = {IndexState.READY: pb.SEARCH_INDEX_STATE_READY, IndexState.CATCHING_UP: pb.SEARCH_INDEX_STATE_CATCHING_UP}


class SearchServicer(pb_grpc.SearchServiceServicer):
    def __init__(self, search: SearchService, tokens: PageTokens):
        self._search = search
        self._tokens = tokens

    async def SearchTweets(self, request: pb.SearchTweetsRequest, context: grpc.aio.ServicerContext) -> pb.SearchTweetsResponse:
        order = Order.RELEVANCE if request.order == pb.SEARCH_ORDER_RELEVANCE else Order.RECENCY
        scope = _scope(request.query, order)  # a token continues the query and order it was issued for, nothing else
        page_request = self._tokens.request(scope, SEARCH_PAGES, request.page_size, request.page_token)
        page = await self._search.search(acting_user(context), request.query, order, page_request)
        response = pb.SearchTweetsResponse.FromString(repeated_messages(_TWEETS, [found.shown for found in page.items]))
        response.next_page_token = self._tokens.next_token(scope, page.next_cursor)
        return response

    async def GetSearchStatus(self, request: pb.GetSearchStatusRequest, context: grpc.aio.ServicerContext) -> pb.GetSearchStatusResponse:
        status = self._search.status()
        return pb.GetSearchStatusResponse(
            state=_STATES[status.state], indexed_tweets=status.indexed, rebuild_scanned=status.rebuild_scanned,
            dead_letters=status.dead_letters,
        )  # fmt: skip


def _scope(query: str, order: Order) -> str:
    return f"search/{order.value}/{hashlib.sha256(query.encode()).hexdigest()[:24]}"


def registration(search: SearchService, tokens: PageTokens) -> Registration:
    return Registration.of(pb, "SearchService", pb_grpc.add_SearchServiceServicer_to_server, SearchServicer(search, tokens))
