"""Graph use cases: accounts, follows, and the lists other services page through."""

import asyncio
from collections.abc import Sequence

from services.common.kernel.errors import InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from services.common.kernel.events import UserDeleted, UserFollowed, UserUnfollowed
from services.common.kernel.ids import IdSource, created_at
from services.common.kernel.pagination import Page, PageRequest
from services.common.limits.rates import FOLLOW
from services.common.runtime.best_effort import best_effort
from services.graph.blocking import BlockingUseCases
from services.graph.domain import (
    MAX_BATCH_FOLLOWER_IDS,
    MAX_BATCH_QUESTIONS,
    MAX_BATCH_USERS,
    MAX_FOLLOWER_CANDIDATES,
    User,
    valid_display_name,
    valid_handle,
    valid_user_id,
)
from services.graph.ports import GraphRepository, HiddenCopies, RateLimiter, ReadCopies


class GraphService(BlockingUseCases):
    """A follow takes a token of the follower's limit once it is known to be valid, before anything is written."""

    def __init__(
        self, repository: GraphRepository, ids: IdSource, copies: ReadCopies | None = None, *, limiter: RateLimiter,
        hidden: HiddenCopies | None = None,
    ):
        self._repository = repository
        self._hidden = hidden
        self._copy_locks: dict[int, asyncio.Lock] = {}  # per user, while a copy of their hidden accounts is written
        self._limiter = limiter
        self._copies = copies
        self._ids = ids

    async def start(self) -> None:
        """Users already over the threshold (stored before the celebrity mark, or under a lower
        threshold) become celebrities; the line moves others as their counts change."""
        await self._repository.mark_celebrities()

    async def create_user(self, handle: str, display_name: str) -> User:
        handle = valid_handle(handle)
        name = valid_display_name(display_name, handle)
        user_id = await self._ids.next_id()
        user = User(user_id, handle, name, created_at(user_id))
        await self._repository.add_user(user)
        return user

    async def get_user(self, user_id: int) -> User:
        user = await self._repository.get(valid_user_id(user_id))
        if user is None:
            raise NotFound(f"no user has id {user_id}", field="user_id")
        return user

    async def get_by_handle(self, handle: str) -> User:
        user = await self._repository.get_by_handle(valid_handle(handle))
        if user is None:
            raise NotFound(f"no user has the handle {handle!r}", field="handle")
        return user

    async def batch_get(self, user_ids: Sequence[int]) -> list[User]:
        if len(user_ids) > MAX_BATCH_USERS:
            raise InvalidArgument(
                f"user_ids has {len(user_ids)} ids; ask for at most {MAX_BATCH_USERS} at a time", field="user_ids"
            )
        return await self._repository.get_many(user_ids)

    async def delete_user(self, actor_id: int, user_id: int) -> None:
        await self.get_user(user_id)
        if actor_id != user_id:
            raise PermissionDenied(f"user {actor_id} may not delete the account of user {user_id}; only its owner may")

        def events_for(follower_ids: list[int]):
            return [*(UserUnfollowed(f, user_id) for f in follower_ids), UserDeleted(user_id)]

        await self._repository.delete_user(user_id, events_for)
        if self._copies is not None:
            await best_effort(self._copies.account_deleted(user_id), "hide a deleted account from reads")

    async def follow(self, actor_id: int, user_id: int) -> User:
        await self._check_edge(actor_id, user_id, "follow")
        await self.refuse_across_block(actor_id, user_id)
        await self._limiter.take(actor_id, FOLLOW)
        if not await self._repository.follow(actor_id, user_id, [UserFollowed(actor_id, user_id)]):
            await self.refuse_across_block(actor_id, user_id)  # a block committed meanwhile: say so, not OK
        await self._follows_changed(actor_id)
        return await self.get_user(user_id)

    async def unfollow(self, actor_id: int, user_id: int) -> User:
        await self._check_edge(actor_id, user_id, "unfollow")
        await self._repository.unfollow(actor_id, user_id, [UserUnfollowed(actor_id, user_id)])
        await self._follows_changed(actor_id)
        return await self.get_user(user_id)

    async def _follows_changed(self, user_id: int) -> None:
        if self._copies is not None:
            await best_effort(self._copies.follows_changed(user_id), "tell the read copies of a follow")

    async def is_following(self, follower_id: int, followee_id: int) -> bool:
        valid_user_id(follower_id, "follower_id")
        valid_user_id(followee_id, "followee_id")
        return await self._repository.is_following(follower_id, followee_id)

    async def followers_among(self, followee_id: int, candidate_ids: Sequence[int]) -> set[int]:
        valid_user_id(followee_id, "followee_id")
        if len(candidate_ids) > MAX_FOLLOWER_CANDIDATES:
            raise InvalidArgument(
                f"candidate_ids has {len(candidate_ids)} ids; ask about at most {MAX_FOLLOWER_CANDIDATES} at a time",
                field="candidate_ids",
            )
        return await self._repository.followers_among(followee_id, candidate_ids)

    async def followers_among_each(self, questions: Sequence[tuple[int, Sequence[int]]]) -> list[set[int]]:
        """followers_among for several (followee, candidates) questions at once, answered in their order."""
        _at_most_questions(len(questions))
        for index, (followee_id, _) in enumerate(questions):
            valid_user_id(followee_id, f"requests[{index}].followee_id")
        candidates = sum(len(candidate_ids) for _, candidate_ids in questions)
        if candidates > MAX_FOLLOWER_CANDIDATES:
            raise InvalidArgument(
                f"the requests name {candidates} candidates in all; ask about at most {MAX_FOLLOWER_CANDIDATES} at a time",
                field="requests",
            )
        return await self._repository.followers_among_each(questions)

    async def followers(self, user_id: int, page: PageRequest) -> Page[User]:
        await self.get_user(user_id)
        return await self._repository.followers(user_id, page)

    async def following(self, user_id: int, page: PageRequest) -> Page[User]:
        await self.get_user(user_id)
        return await self._repository.following(user_id, page)

    async def follower_ids(self, user_id: int, page: PageRequest) -> Page[int]:
        return await self._repository.follower_ids(user_id, page)

    async def follower_id_pages(self, requests: Sequence[tuple[int, PageRequest]]) -> list[Page[int]]:
        """follower_ids for several (user, page) requests at once, answered in their order."""
        _at_most_questions(len(requests))
        for index, (user_id, _) in enumerate(requests):
            valid_user_id(user_id, f"requests[{index}].user_id")
        asked = sum(page.size for _, page in requests)
        if asked > MAX_BATCH_FOLLOWER_IDS:
            raise InvalidArgument(
                f"the requests ask for {asked} ids in all; ask for at most {MAX_BATCH_FOLLOWER_IDS} at a time", field="requests"
            )
        return await self._repository.follower_id_pages(requests)

    async def following_ids(self, user_id: int) -> list[int]:
        return await self._repository.following_ids(user_id)

    async def celebrity_following_ids(self, user_id: int) -> list[int]:
        return await self._repository.following_ids(user_id, celebrities_only=True)

    async def require_account(self, actor_id: int) -> None:
        """The acting user of a call must have an account."""
        if await self._repository.get(actor_id) is None:
            raise Unauthenticated(f"the acting user {actor_id} has no account; register first")

    async def is_celebrity(self, user_id: int) -> bool:
        user = await self._repository.get(user_id)
        return user is not None and user.celebrity

    async def _check_edge(self, actor_id: int, user_id: int, verb: str) -> None:
        valid_user_id(user_id)
        if actor_id == user_id:
            raise InvalidArgument(f"you cannot {verb} yourself", field="user_id")
        await self.require_account(actor_id)
        await self.get_user(user_id)


def _at_most_questions(count: int) -> None:
    if count > MAX_BATCH_QUESTIONS:
        raise InvalidArgument(f"requests has {count} entries; send at most {MAX_BATCH_QUESTIONS} at a time", field="requests")
