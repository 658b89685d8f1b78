"""GraphService over gRPC: requests in, domain calls, messages out."""

from collections.abc import Callable

import grpc

from chirp.graph.v1 import graph_service_pb2 as pb
from chirp.graph.v1 import graph_service_pb2_grpc as pb_grpc
from services.common.kernel.errors import InvalidArgument, PermissionDenied
from services.common.kernel.pagination import PageLimits, PageRequest, PageTokens
from services.common.rpc.auth import acting_user, require_service, require_user, verified_identity
from services.common.rpc.server import Registration
from services.graph.domain import ID_PAGES
from services.graph.messages import user_message
from services.graph.service import GraphService
from services.graph.suggestion_entrypoint import SuggestionsServicer
from services.graph.suggestion_service import SuggestionService

USER_PAGES = PageLimits(default=50, maximum=1000)

Context = grpc.aio.ServicerContext
PROFILE_MAKER = "account"  # a profile is made only as an account is registered
REGISTER_INSTEAD = "register with AccountService.CreateAccount (POST /v1/accounts), which makes the profile"
HIDDEN_READERS = frozenset({"timeline", "tweet", "search", "notification"})  # the services whose readers filter hidden accounts


class GraphServicer(SuggestionsServicer, pb_grpc.GraphServiceServicer):
    def __init__(self, graph: GraphService, tokens: PageTokens, suggestions: SuggestionService):
        self._graph = graph
        self._suggestions = suggestions
        self._tokens = tokens

    async def CreateUser(self, request: pb.CreateUserRequest, context: Context) -> pb.CreateUserResponse:
        require_service(PROFILE_MAKER, REGISTER_INSTEAD)
        user = await self._graph.create_user(request.handle, request.display_name)
        return pb.CreateUserResponse(user=user_message(user))

    async def GetUser(self, request: pb.GetUserRequest, context: Context) -> pb.GetUserResponse:
        return pb.GetUserResponse(user=user_message(await self._graph.get_user(request.user_id)))

    async def GetUserByHandle(self, request: pb.GetUserByHandleRequest, context: Context) -> pb.GetUserByHandleResponse:
        return pb.GetUserByHandleResponse(user=user_message(await self._graph.get_by_handle(request.handle)))

    async def BatchGetUsers(self, request: pb.BatchGetUsersRequest, context: Context) -> pb.BatchGetUsersResponse:
        users = await self._graph.batch_get(list(request.user_ids))
        return pb.BatchGetUsersResponse(users=[user_message(user) for user in users])

    async def DeleteUser(self, request: pb.DeleteUserRequest, context: Context) -> pb.DeleteUserResponse:
        await self._graph.delete_user(require_user(context), request.user_id)
        return pb.DeleteUserResponse()

    async def FollowUser(self, request: pb.FollowUserRequest, context: Context) -> pb.FollowUserResponse:
        user = await self._graph.follow(require_user(context), request.user_id)
        return pb.FollowUserResponse(user=user_message(user))

    async def UnfollowUser(self, request: pb.UnfollowUserRequest, context: Context) -> pb.UnfollowUserResponse:
        user = await self._graph.unfollow(require_user(context), request.user_id)
        return pb.UnfollowUserResponse(user=user_message(user))

    async def ListFollowers(self, request: pb.ListFollowersRequest, context: Context) -> pb.ListFollowersResponse:
        scope = f"graph/followers/{request.user_id}"
        page = await self._graph.followers(request.user_id, self._page(scope, request))
        return pb.ListFollowersResponse(
            users=[user_message(u) for u in page.items], next_page_token=self._tokens.next_token(scope, page.next_cursor)
        )

    async def ListFollowing(self, request: pb.ListFollowingRequest, context: Context) -> pb.ListFollowingResponse:
        scope = f"graph/following/{request.user_id}"
        page = await self._graph.following(request.user_id, self._page(scope, request))
        return pb.ListFollowingResponse(
            users=[user_message(u) for u in page.items], next_page_token=self._tokens.next_token(scope, page.next_cursor)
        )

    async def CheckFollowing(self, request: pb.CheckFollowingRequest, context: Context) -> pb.CheckFollowingResponse:
        following = await self._graph.is_following(request.follower_id, request.followee_id)
        return pb.CheckFollowingResponse(following=following)

    async def ListFollowerIds(self, request: pb.ListFollowerIdsRequest, context: Context) -> pb.ListFollowerIdsResponse:
        page = await self._graph.follower_ids(request.user_id, self._follower_ids_page(request))
        return pb.ListFollowerIdsResponse(
            follower_ids=page.items, next_page_token=self._tokens.next_token(_follower_ids_scope(request.user_id), page.next_cursor)
        )

    async def BatchListFollowerIds(
        self, request: pb.BatchListFollowerIdsRequest, context: Context
    ) -> pb.BatchListFollowerIdsResponse:
        asked = [(each.user_id, _in_request(n, lambda: self._follower_ids_page(each))) for n, each in enumerate(request.requests)]
        pages = await self._graph.follower_id_pages(asked)
        return pb.BatchListFollowerIdsResponse(responses=[
            pb.ListFollowerIdsResponse(follower_ids=page.items, next_page_token=self._tokens.next_token(_follower_ids_scope(user_id), page.next_cursor))
            for (user_id, _), page in zip(asked, pages)
        ])  # fmt: skip

    async def ListFollowingIds(self, request: pb.ListFollowingIdsRequest, context: Context) -> pb.ListFollowingIdsResponse:
        if request.celebrities_only:
            return pb.ListFollowingIdsResponse(user_ids=await self._graph.celebrity_following_ids(request.user_id))
        return pb.ListFollowingIdsResponse(user_ids=await self._graph.following_ids(request.user_id))

    async def ListFollowersAmong(
        self, request: pb.ListFollowersAmongRequest, context: Context
    ) -> pb.ListFollowersAmongResponse:
        followers = await self._graph.followers_among(request.followee_id, list(request.candidate_ids))
        return pb.ListFollowersAmongResponse(follower_ids=sorted(followers))

    async def BatchListFollowersAmong(
        self, request: pb.BatchListFollowersAmongRequest, context: Context
    ) -> pb.BatchListFollowersAmongResponse:
        answers = await self._graph.followers_among_each([(each.followee_id, list(each.candidate_ids)) for each in request.requests])
        return pb.BatchListFollowersAmongResponse(responses=[pb.ListFollowersAmongResponse(follower_ids=sorted(found)) for found in answers])

    async def BlockUser(self, request: pb.BlockUserRequest, context: Context) -> pb.BlockUserResponse:
        await self._graph.block(require_user(context), request.user_id)
        return pb.BlockUserResponse()

    async def UnblockUser(self, request: pb.UnblockUserRequest, context: Context) -> pb.UnblockUserResponse:
        await self._graph.unblock(require_user(context), request.user_id)
        return pb.UnblockUserResponse()

    async def MuteUser(self, request: pb.MuteUserRequest, context: Context) -> pb.MuteUserResponse:
        await self._graph.mute(require_user(context), request.user_id)
        return pb.MuteUserResponse()

    async def UnmuteUser(self, request: pb.UnmuteUserRequest, context: Context) -> pb.UnmuteUserResponse:
        await self._graph.unmute(require_user(context), request.user_id)
        return pb.UnmuteUserResponse()

    async def ListBlockedUsers(self, request: pb.ListBlockedUsersRequest, context: Context) -> pb.ListBlockedUsersResponse:
        actor_id = require_user(context)
        scope = f"graph/blocked/{actor_id}"
        page = await self._graph.blocked_users(actor_id, self._page(scope, request))
        return pb.ListBlockedUsersResponse(
            users=[user_message(u) for u in page.items], next_page_token=self._tokens.next_token(scope, page.next_cursor)
        )

    async def ListMutedUsers(self, request: pb.ListMutedUsersRequest, context: Context) -> pb.ListMutedUsersResponse:
        actor_id = require_user(context)
        scope = f"graph/muted/{actor_id}"
        page = await self._graph.muted_users(actor_id, self._page(scope, request))
        return pb.ListMutedUsersResponse(
            users=[user_message(u) for u in page.items], next_page_token=self._tokens.next_token(scope, page.next_cursor)
        )

    async def ListHiddenIds(self, request: pb.ListHiddenIdsRequest, context: Context) -> pb.ListHiddenIdsResponse:
        _may_see_hidden(request.user_id)
        hidden = await self._graph.hidden_accounts(request.user_id)
        return pb.ListHiddenIdsResponse(blocked_ids=sorted(hidden.blocked), muted_ids=sorted(hidden.muted))

    def _follower_ids_page(self, request: pb.ListFollowerIdsRequest) -> PageRequest:
        return self._tokens.request(_follower_ids_scope(request.user_id), ID_PAGES, request.page_size, request.page_token)

    def _page(self, scope: str, request):
        return self._tokens.request(scope, USER_PAGES, request.page_size, request.page_token)


def _follower_ids_scope(user_id: int) -> str:
    return f"graph/follower-ids/{user_id}"


def _in_request(index: int, read: Callable[[], PageRequest]) -> PageRequest:
    """read() for the batch's request at index, its errors naming the field as requests[index].field."""
    try:
        return read()
    except InvalidArgument as error:
        raise InvalidArgument(error.message, field=f"requests[{index}].{error.field}") from None


def _may_see_hidden(user_id: int) -> None:
    """Who blocked whom is private: only the reading services' own tokens, or the user asking about themselves."""
    identity = verified_identity()
    if (identity is not None and identity.service in HIDDEN_READERS) or acting_user() == user_id:
        return
    raise PermissionDenied(
        "ListHiddenIds is internal: only the timeline, tweet, search and notification services call it, or a user about themselves; "
        "list your own blocks and mutes with ListBlockedUsers and ListMutedUsers"
    )


def registration(graph: GraphService, tokens: PageTokens, suggestions: SuggestionService) -> Registration:
    servicer = GraphServicer(graph, tokens, suggestions)
    return Registration.of(pb, "GraphService", pb_grpc.add_GraphServiceServicer_to_server, servicer)
