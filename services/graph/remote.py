"""The graph as other services reach it over gRPC.

One adapter serves every port other services hold on the graph: the
tweet service's UserDirectory, the timeline's FollowGraph, fan-out's
FollowerSource and every reader's source of hidden accounts. Page cursors it returns are the graph's opaque tokens.
Fan-out's lookups of follower pages and of followers among candidates, made side by side by its concurrent
handlers, leave together as one batch call (a Coalescer each).
"""

from collections.abc import Callable, Iterator, Sequence

import grpc

from chirp.graph.v1 import graph_service_pb2 as pb
from chirp.graph.v1 import graph_service_pb2_grpc as pb_grpc
from services.common.kernel.errors import NotFound, Unauthenticated
from services.common.kernel.pagination import Page, PageRequest
from services.common.rpc.auth import forwarded_for
from services.common.rpc.remote import INTERNAL_CALL_SECONDS, calling
from services.common.runtime.coalescing import Coalescer
from services.graph.domain import (
    ID_PAGES,
    MAX_BATCH_FOLLOWER_IDS,
    MAX_BATCH_QUESTIONS,
    MAX_BATCH_USERS,
    MAX_FOLLOWER_CANDIDATES,
    HiddenAccounts,
    User,
)
from services.graph.messages import user_from_message

SERVICE = "graph"


class RemoteGraph:
    def __init__(self, channel: grpc.aio.Channel, credential: Callable[[], tuple[tuple[str, str], ...]] = tuple):
        """credential: the caller service's own token as metadata (the account service's, for create_user; a reader's, for hidden_accounts)."""
        self._channel, self._stub = channel, pb_grpc.GraphServiceStub(channel)
        self._credential = credential
        self._follower_pages = Coalescer(self._follower_id_pages, MAX_BATCH_QUESTIONS)  # keyed (user_id, page_size, page_token)
        self._followers_among = Coalescer(self._followers_among_each, MAX_BATCH_QUESTIONS)  # keyed (followee_id, candidate_ids)

    def acting_as(self, credential: Callable[[], tuple[tuple[str, str], ...]]) -> "RemoteGraph":
        """The same channel, calling with another credential."""
        return RemoteGraph(self._channel, credential)

    async def batch_get(self, user_ids: Sequence[int]) -> list[User]:
        users: list[User] = []
        for start in range(0, len(user_ids), MAX_BATCH_USERS):
            request = pb.BatchGetUsersRequest(user_ids=user_ids[start : start + MAX_BATCH_USERS])
            with calling(SERVICE):
                response = await self._stub.BatchGetUsers(request, timeout=INTERNAL_CALL_SECONDS)
            users.extend(user_from_message(message) for message in response.users)
        return users

    async def create_user(self, handle: str, display_name: str) -> User:
        with calling(SERVICE):
            request = pb.CreateUserRequest(handle=handle, display_name=display_name)
            response = await self._stub.CreateUser(request, timeout=INTERNAL_CALL_SECONDS, metadata=self._credential())
        return user_from_message(response.user)

    async def get_by_handle(self, handle: str) -> User:
        with calling(SERVICE):
            response = await self._stub.GetUserByHandle(pb.GetUserByHandleRequest(handle=handle), timeout=INTERNAL_CALL_SECONDS)
        return user_from_message(response.user)

    async def require_account(self, user_id: int) -> None:
        if await self._user(user_id) is None:
            raise Unauthenticated(f"the acting user {user_id} has no account; register first")

    async def is_celebrity(self, user_id: int) -> bool:
        user = await self._user(user_id)
        return user is not None and user.celebrity

    async def is_following(self, follower_id: int, followee_id: int) -> bool:
        request = pb.CheckFollowingRequest(follower_id=follower_id, followee_id=followee_id)
        with calling(SERVICE):
            return (await self._stub.CheckFollowing(request, timeout=INTERNAL_CALL_SECONDS)).following

    async def followers_among(self, followee_id: int, candidate_ids: Sequence[int]) -> set[int]:
        return await self._followers_among.get((followee_id, tuple(candidate_ids)))

    async def following_ids(self, user_id: int) -> list[int]:
        return await self._following(user_id, celebrities_only=False)

    async def celebrity_following_ids(self, user_id: int) -> list[int]:
        return await self._following(user_id, celebrities_only=True)

    async def follower_ids(self, user_id: int, page: PageRequest) -> Page[int]:
        return await self._follower_pages.get((user_id, page.size, page.cursor or ""))

    async def hidden_accounts(self, user_id: int) -> HiddenAccounts:
        """As the viewer (their own token, when the call being served acts for them), else as this service."""
        metadata = forwarded_for(user_id) or self._credential()
        with calling(SERVICE):
            request = pb.ListHiddenIdsRequest(user_id=user_id)
            response = await self._stub.ListHiddenIds(request, timeout=INTERNAL_CALL_SECONDS, metadata=metadata)
        return HiddenAccounts(frozenset(response.blocked_ids), frozenset(response.muted_ids))

    async def _follower_id_pages(self, keys: Sequence[tuple[int, int, str]]) -> dict[tuple[int, int, str], Page[int]]:
        found = {}
        for run in _runs(keys, lambda key: min(key[1] or ID_PAGES.default, ID_PAGES.maximum), MAX_BATCH_FOLLOWER_IDS):
            asked = [pb.ListFollowerIdsRequest(user_id=user_id, page_size=size, page_token=token) for user_id, size, token in run]
            with calling(SERVICE):
                response = await self._stub.BatchListFollowerIds(pb.BatchListFollowerIdsRequest(requests=asked), timeout=INTERNAL_CALL_SECONDS)
            found.update({key: Page(list(page.follower_ids), page.next_page_token or None) for key, page in zip(run, response.responses)})
        return found

    async def _followers_among_each(self, keys: Sequence[tuple[int, tuple[int, ...]]]) -> dict[tuple[int, tuple[int, ...]], set[int]]:
        found = {}
        for run in _runs(keys, lambda key: len(key[1]), MAX_FOLLOWER_CANDIDATES):
            asked = [pb.ListFollowersAmongRequest(followee_id=followee_id, candidate_ids=candidates) for followee_id, candidates in run]
            with calling(SERVICE):
                response = await self._stub.BatchListFollowersAmong(pb.BatchListFollowersAmongRequest(requests=asked), timeout=INTERNAL_CALL_SECONDS)
            found.update({key: set(answer.follower_ids) for key, answer in zip(run, response.responses)})
        return found

    async def _following(self, user_id: int, celebrities_only: bool) -> list[int]:
        request = pb.ListFollowingIdsRequest(user_id=user_id, celebrities_only=celebrities_only)
        with calling(SERVICE):
            return list((await self._stub.ListFollowingIds(request, timeout=INTERNAL_CALL_SECONDS)).user_ids)

    async def _user(self, user_id: int) -> User | None:
        try:
            with calling(SERVICE):
                response = await self._stub.GetUser(pb.GetUserRequest(user_id=user_id), timeout=INTERNAL_CALL_SECONDS)
        except NotFound:
            return None
        return user_from_message(response.user)


def _runs(keys: Sequence, weight: Callable, limit: int) -> Iterator[list]:
    """The keys in order, cut into runs whose weights add up to at most limit (a key heavier than that alone)."""
    run, total = [], 0
    for key in keys:
        if run and total + weight(key) > limit:
            yield run
            run, total = [], 0
        run.append(key)
        total += weight(key)
    if run:
        yield run
