"""Blocks and mutes in the graph's PostgreSQL store (a part of PostgresGraphRepository).

Each change locks both users' rows first, in user_id order, as a follow
does: a block and a follow of the same pair run one after the other (the
follow then sees the block and adds nothing), and neither account can be
deleted under a block or mute being written.
"""

from collections.abc import Callable

import asyncpg

from services.common.kernel.events import Event
from services.common.kernel.pagination import Page, PageRequest
from services.common.storage.postgres import rows_affected
from services.graph.domain import HiddenAccounts, User

LOCK_USERS = "SELECT user_id FROM users WHERE user_id = ANY($1::bigint[]) ORDER BY user_id FOR NO KEY UPDATE"
_ADD_IF_BOTH_EXIST = (
    "INSERT INTO {table} ({actor}, {target}) SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM users WHERE user_id = $1) "
    "AND EXISTS (SELECT 1 FROM users WHERE user_id = $2) ON CONFLICT DO NOTHING"
)
BLOCKS, MUTES = ("blocks", "blocker_id", "blocked_id"), ("mutes", "muter_id", "muted_id")
_BLOCKED_EITHER_WAY = "SELECT blocked_id FROM blocks WHERE blocker_id = $1 UNION SELECT blocker_id FROM blocks WHERE blocked_id = $1"


def _add(kind: tuple[str, str, str]) -> str:
    table, actor, target = kind
    return _ADD_IF_BOTH_EXIST.format(table=table, actor=actor, target=target)


def _remove(kind: tuple[str, str, str]) -> str:
    table, actor, target = kind
    return f"DELETE FROM {table} WHERE {actor} = $1 AND {target} = $2"


class PostgresBlocks:
    """Needs _db, _outbox and _remove_follow(tx, follower, followee) from the repository, _users_page from PostgresFollowReads."""

    async def block(self, blocker_id: int, blocked_id: int, events_for: Callable[[list[tuple[int, int]]], list[Event]]) -> bool:
        async def change(tx: asyncpg.Connection) -> bool:
            await tx.execute(LOCK_USERS, [blocker_id, blocked_id])
            if rows_affected(await tx.execute(_add(BLOCKS), blocker_id, blocked_id)) != 1:
                return False
            removed, crossed = [], []
            for follower, followee in ((blocker_id, blocked_id), (blocked_id, blocker_id)):
                moved = await self._remove_follow(tx, follower, followee)
                if moved is not None:
                    removed.append((follower, followee))
                    crossed.extend(moved)
            await self._outbox.append(tx, [*events_for(removed), *crossed])
            return True

        return await self._outbox.write(change)

    async def unblock(self, blocker_id: int, blocked_id: int, events: list[Event]) -> bool:
        return await self._change_relation(_remove(BLOCKS), blocker_id, blocked_id, events)

    async def mute(self, muter_id: int, muted_id: int, events: list[Event]) -> bool:
        return await self._change_relation(_add(MUTES), muter_id, muted_id, events)

    async def unmute(self, muter_id: int, muted_id: int, events: list[Event]) -> bool:
        return await self._change_relation(_remove(MUTES), muter_id, muted_id, events)

    async def is_blocked(self, first_id: int, second_id: int) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 FROM blocks WHERE blocker_id IN ($1, $2) AND blocked_id IN ($1, $2)", first_id, second_id
        )
        return row is not None

    async def hidden_accounts(self, user_id: int) -> HiddenAccounts:
        blocked = await self._db.fetch_all(_BLOCKED_EITHER_WAY, user_id)
        muted = await self._db.fetch_all("SELECT muted_id FROM mutes WHERE muter_id = $1", user_id)
        return HiddenAccounts(frozenset(row[0] for row in blocked), frozenset(row[0] for row in muted))

    async def blocked_users(self, user_id: int, page: PageRequest) -> Page[User]:
        return await self._users_page("blocker_id", "blocked_id", user_id, page, table="blocks")

    async def muted_users(self, user_id: int, page: PageRequest) -> Page[User]:
        return await self._users_page("muter_id", "muted_id", user_id, page, table="mutes")

    async def _change_relation(self, sql: str, actor_id: int, target_id: int, events: list[Event]) -> bool:
        async def change(tx: asyncpg.Connection) -> bool:
            await tx.execute(LOCK_USERS, [actor_id, target_id])
            if rows_affected(await tx.execute(sql, actor_id, target_id)) != 1:
                return False
            await self._outbox.append(tx, events)
            return True

        return await self._outbox.write(change)


async def forget_user(tx: asyncpg.Connection, user_id: int) -> None:
    """A deleted user's blocks and mutes, either way, go with the account."""
    await tx.execute("DELETE FROM blocks WHERE blocker_id = $1 OR blocked_id = $1", user_id)
    await tx.execute("DELETE FROM mutes WHERE muter_id = $1 OR muted_id = $1", user_id)
