"""Graph use cases for blocks and mutes (a part of GraphService).

A block removes the follows between the two users both ways (each removal
recorded as a UserUnfollowed event, with the UserBlocked one) and stops
either from following the other while it stands; a mute only hides. Both
are idempotent: doing one twice records nothing the second time.
"""

import asyncio

from services.common.kernel.errors import FailedPrecondition
from services.common.kernel.events import UserBlocked, UserMuted, UserUnblocked, UserUnfollowed, UserUnmuted
from services.common.kernel.pagination import Page, PageRequest
from services.common.limits.rates import BLOCK
from services.common.runtime.best_effort import best_effort
from services.graph.domain import HiddenAccounts, User, valid_user_id


class BlockingUseCases:
    """Needs _repository, _hidden, _copy_locks, _check_edge, _limiter and _follows_changed from GraphService."""

    async def block(self, actor_id: int, user_id: int) -> None:
        await self._check_edge(actor_id, user_id, "block")
        await self._limiter.take(actor_id, BLOCK)

        def events_for(removed: list[tuple[int, int]]):
            return [*(UserUnfollowed(follower, followee) for follower, followee in removed), UserBlocked(actor_id, user_id)]

        if await self._repository.block(actor_id, user_id, events_for):
            await self._follows_changed(actor_id)
            await self._follows_changed(user_id)
        await self._hidden_changed(actor_id, user_id)

    async def unblock(self, actor_id: int, user_id: int) -> None:
        await self._check_edge(actor_id, user_id, "unblock")
        await self._repository.unblock(actor_id, user_id, [UserUnblocked(actor_id, user_id)])
        await self._hidden_changed(actor_id, user_id)

    async def mute(self, actor_id: int, user_id: int) -> None:
        await self._check_edge(actor_id, user_id, "mute")
        await self._limiter.take(actor_id, BLOCK)
        await self._repository.mute(actor_id, user_id, [UserMuted(actor_id, user_id)])
        await self._hidden_changed(actor_id)

    async def unmute(self, actor_id: int, user_id: int) -> None:
        await self._check_edge(actor_id, user_id, "unmute")
        await self._repository.unmute(actor_id, user_id, [UserUnmuted(actor_id, user_id)])
        await self._hidden_changed(actor_id)

    async def blocked_users(self, actor_id: int, page: PageRequest) -> Page[User]:
        await self.require_account(actor_id)
        return await self._repository.blocked_users(actor_id, page)

    async def muted_users(self, actor_id: int, page: PageRequest) -> Page[User]:
        await self.require_account(actor_id)
        return await self._repository.muted_users(actor_id, page)

    async def hidden_accounts(self, user_id: int) -> HiddenAccounts:
        return await self._repository.hidden_accounts(valid_user_id(user_id))

    async def refuse_across_block(self, actor_id: int, user_id: int) -> None:
        if await self._repository.is_blocked(actor_id, user_id):
            raise FailedPrecondition(
                f"user {actor_id} cannot follow user {user_id}: one of them blocked the other; "
                "a follow is possible again once the block is lifted",
                field="user_id",
            )

    async def _hidden_changed(self, *user_ids: int) -> None:
        """Writes the users' copies as stored now, even when nothing changed (a copy a lost write left stale heals)."""
        if self._hidden is not None:
            for user_id in user_ids:
                await best_effort(self._copy_hidden(user_id), "keep a copy of the accounts hidden from a user")

    async def _copy_hidden(self, user_id: int) -> None:
        # One copy at a time per user in this process, each read after the commits before it, so two
        # changes close together leave the later state, not the one whose write came last. Across Graph
        # replicas two writes can still cross; the copy's lifetime (300–450 s) bounds that.
        async with self._copy_locks.setdefault(user_id, asyncio.Lock()):
            await self._hidden.put(user_id, await self._repository.hidden_accounts(user_id))
        if not self._copy_locks[user_id].locked():
            self._copy_locks.pop(user_id, None)
