"""TimelineService over gRPC."""

import grpc

from chirp.timeline.v1 import timeline_service_pb2 as pb
from chirp.timeline.v1 import timeline_service_pb2_grpc as pb_grpc
from services.common.kernel.pagination import PageLimits, PageTokens
from services.common.rpc.auth import require_user
from services.common.rpc.server import Registration
from services.timeline.messages import home_response
from services.timeline.service import TimelineService

TIMELINE_PAGES = PageLimits(default=20, maximum=100)


class TimelineServicer(pb_grpc.TimelineServiceServicer):
    def __init__(self, timelines: TimelineService, tokens: PageTokens):
        self._timelines = timelines
        self._tokens = tokens

    async def ListHomeTimeline(
        self, request: pb.ListHomeTimelineRequest, context: grpc.aio.ServicerContext
    ) -> bytes:
        """The response already encoded (messages.py)."""
        reader_id = require_user(context)
        scope = f"timeline/home/{reader_id}"
        page_request = self._tokens.request(scope, TIMELINE_PAGES, request.page_size, request.page_token)
        return await self._timelines.home_response(
            reader_id, page_request, lambda page: home_response(page.items, self._tokens.next_token(scope, page.next_cursor)))


def registration(timelines: TimelineService, tokens: PageTokens) -> Registration:
    return Registration.of(pb, "TimelineService", pb_grpc.add_TimelineServiceServicer_to_server, TimelineServicer(timelines, tokens))
