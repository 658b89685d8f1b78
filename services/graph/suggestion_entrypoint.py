"""ListSuggestions over gRPC: the acting user's who-to-follow, as the contract shows it."""

import grpc

from chirp.graph.v1 import graph_service_pb2 as pb
from services.common.rpc.auth import require_user
from services.graph.messages import user_message
from services.graph.suggestion_service import SuggestionService
from services.graph.suggestions import Suggestion


def suggestion_message(suggestion: Suggestion) -> pb.Suggestion:
    return pb.Suggestion(
        user=user_message(suggestion.user),
        followed_by_count=suggestion.followed_by_count,
        followed_by=[user_message(u) for u in suggestion.followed_by],
        reason=suggestion.reason,
    )


class SuggestionsServicer:
    """GraphServicer's part for suggestions (it sets _suggestions)."""

    _suggestions: SuggestionService

    async def ListSuggestions(self, request: pb.ListSuggestionsRequest, context: grpc.aio.ServicerContext) -> pb.ListSuggestionsResponse:
        found = await self._suggestions.suggestions(require_user(context), request.page_size)
        return pb.ListSuggestionsResponse(
            suggestions=[suggestion_message(s) for s in found.items], staleness_seconds=found.staleness_seconds
        )
