"""TrendingService over gRPC."""

import grpc

from chirp.trending.v1 import trending_service_pb2 as pb
from chirp.trending.v1 import trending_service_pb2_grpc as pb_grpc
from services.common.kernel.pagination import PageLimits, PageTokens
from services.common.rpc.server import Registration
from services.trending.domain import Trend, window_of
from services.trending.service import TrendingService

TREND_PAGES = PageLimits(default=10, maximum=50)


class TrendingServicer(pb_grpc.TrendingServiceServicer):
    def __init__(self, trending: TrendingService, tokens: PageTokens):
        self._trending = trending
        self._tokens = tokens

    async def ListTrendingHashtags(
        self, request: pb.ListTrendingHashtagsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListTrendingHashtagsResponse:
        window = window_of(request.window_minutes)
        scope = f"trending/hashtags/{window}"
        page_request = self._tokens.request(scope, TREND_PAGES, request.page_size, request.page_token)
        ranking, page = await self._trending.trending(window, page_request)
        response = pb.ListTrendingHashtagsResponse(
            hashtags=[_message(t) for t in page.items],
            next_page_token=self._tokens.next_token(scope, page.next_cursor),
            window_minutes=ranking.window_minutes,
        )
        response.refresh_time.FromMilliseconds(ranking.refreshed_ms)
        return response


def _message(trend: Trend) -> pb.TrendingHashtag:
    return pb.TrendingHashtag(
        hashtag=trend.tag, tweet_count=trend.tweets, score=trend.score, unique_authors=trend.authors,
        baseline_authors=trend.baseline,
    )  # fmt: skip


def registration(trending: TrendingService, tokens: PageTokens) -> Registration:
    return Registration.of(pb, "TrendingService", pb_grpc.add_TrendingServiceServicer_to_server, TrendingServicer(trending, tokens))
