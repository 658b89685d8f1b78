"""The graph's system of record in PostgreSQL, behaving as the SQLite one does.

SQLite runs one write at a time; here writes run side by side. So each
write first locks the user rows it will count on, in user_id order, until
it commits: a follow checks both users exist and nobody can delete them
before it commits, counts move by exact increments, and concurrent writes
queue instead of deadlocking (the rare race that still does is run again).
"""

from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from services.common.kernel.errors import AlreadyExists
from services.common.kernel.events import Event
from services.common.kernel.ids import possible_ids
from services.common.messaging.outbox.postgres_store import PostgresOutbox
from services.common.storage.postgres import PostgresDatabase, rows_affected
from services.common.storage.row_cache import Revision
from services.graph.adapters.postgres_blocks import LOCK_USERS as _LOCK_USERS
from services.graph.adapters.postgres_blocks import PostgresBlocks, forget_user
from services.graph.adapters.postgres_follow_reads import PostgresFollowReads
from services.graph.adapters.rows import USER_COLUMNS, user_from_row
from services.graph.domain import CelebrityLine, User, handle_key

_HANDLE_CONSTRAINT = "users_handle_key_unique"
_FOLLOW = (
    "INSERT INTO follows (follower_id, followee_id) SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM users WHERE user_id = $1) "
    "AND EXISTS (SELECT 1 FROM users WHERE user_id = $2) "
    "AND NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id IN ($1, $2) AND blocked_id IN ($1, $2)) ON CONFLICT DO NOTHING"
)
_UNFOLLOW = "DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2"
_COUNT_FOLLOWING = "UPDATE users SET following_count = following_count + $1 WHERE user_id = $2"
_COUNT_FOLLOWERS = "UPDATE users SET follower_count = follower_count + $1 WHERE user_id = $2 RETURNING user_id, follower_count, celebrity_since"
_SET_CELEBRITY = "UPDATE users SET celebrity_since = $2 WHERE user_id = $1"
_LOCK_USER_AND_NEIGHBOURS = (
    "SELECT user_id FROM users WHERE user_id = $1 "
    "OR user_id IN (SELECT follower_id FROM follows WHERE followee_id = $1) "
    "OR user_id IN (SELECT followee_id FROM follows WHERE follower_id = $1) "
    "ORDER BY user_id FOR NO KEY UPDATE"
)
_NEIGHBOURS = "SELECT follower_id FROM follows WHERE followee_id = $1 UNION SELECT followee_id FROM follows WHERE follower_id = $1"
_UNCOUNT_FOLLOWERS = (
    "UPDATE users SET following_count = following_count - 1 "
    "WHERE user_id IN (SELECT follower_id FROM follows WHERE followee_id = $1)"
)
_UNCOUNT_FOLLOWEES = (
    "UPDATE users SET follower_count = follower_count - 1 "
    "WHERE user_id IN (SELECT followee_id FROM follows WHERE follower_id = $1) RETURNING user_id, follower_count, celebrity_since"
)


class PostgresGraphRepository(PostgresBlocks, PostgresFollowReads):
    def __init__(self, db: PostgresDatabase, outbox: PostgresOutbox, celebrities: CelebrityLine):
        self._db = db
        self._outbox = outbox
        self._celebrities = celebrities

    async def add_user(self, user: User) -> None:
        try:
            await self._db.execute(
                "INSERT INTO users (user_id, handle, handle_key, display_name, created_at) VALUES ($1, $2, $3, $4, $5)",
                user.user_id, user.handle, handle_key(user.handle), user.display_name, user.created_at,
            )  # fmt: skip
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name != _HANDLE_CONSTRAINT:
                raise
            raise AlreadyExists(f"the handle {user.handle!r} is taken; choose another", field="handle") from None

    async def get(self, user_id: int) -> User | None:
        row = await self._db.fetch_one(f"SELECT {USER_COLUMNS} FROM users u WHERE user_id = $1", user_id)
        return user_from_row(row) if row else None

    async def get_by_handle(self, handle: str) -> User | None:
        row = await self._db.fetch_one(f"SELECT {USER_COLUMNS} FROM users u WHERE handle_key = $1", handle_key(handle))
        return user_from_row(row) if row else None

    async def get_many(self, user_ids: Sequence[int]) -> list[User]:
        unique = list(dict.fromkeys(possible_ids(user_ids)))
        rows = await self._db.fetch_all(f"SELECT {USER_COLUMNS} FROM users u WHERE user_id = ANY($1::bigint[])", unique)
        found = {row["user_id"]: user_from_row(row) for row in rows}
        return [found[user_id] for user_id in unique if user_id in found]

    async def revisions(self, user_ids: Sequence[int]) -> dict[int, Revision[User]]:
        """The users as stored now, with their revisions (for caches); deleted users are absent."""
        sql = f"SELECT {USER_COLUMNS}, u.revision FROM users u WHERE user_id = ANY($1::bigint[])"
        rows = await self._db.fetch_all(sql, possible_ids(user_ids))
        return {row["user_id"]: Revision(row["revision"], user_from_row(row)) for row in rows}

    async def mark_celebrities(self) -> None:
        """Users at or over the threshold who are not marked yet become celebrities (after an upgrade,
        or a lower threshold). No event: becoming one needs no fan-out work."""
        await self._db.execute(
            "UPDATE users SET celebrity_since = $1 WHERE celebrity_since = 0 AND follower_count >= $2",
            self._celebrities.clock(), self._celebrities.threshold,
        )  # fmt: skip

    async def largest_id(self) -> int:
        row = await self._db.fetch_one("SELECT MAX(user_id) AS m FROM users")
        return row["m"] or 0

    async def delete_user(
        self,
        user_id: int,
        events_for: Callable[[list[int]], list[Event]],
        on_locked: Callable[[list[int]], Awaitable[None]] | None = None,
    ) -> bool:
        """on_locked, if given, hears the users whose counts the deletion changes, before it commits."""

        async def delete(tx: asyncpg.Connection) -> bool:
            await tx.execute(_LOCK_USER_AND_NEIGHBOURS, user_id)  # no edge of the user can change from here on
            followers = [r[0] for r in await tx.fetch("SELECT follower_id FROM follows WHERE followee_id = $1", user_id)]
            if on_locked:
                await on_locked([row[0] for row in await tx.fetch(_NEIGHBOURS, user_id)])
            await tx.execute(_UNCOUNT_FOLLOWERS, user_id)
            crossed = await _cross(tx, await tx.fetch(_UNCOUNT_FOLLOWEES, user_id), self._celebrities)
            await tx.execute("DELETE FROM follows WHERE follower_id = $1 OR followee_id = $1", user_id)
            await forget_user(tx, user_id)
            deleted = rows_affected(await tx.execute("DELETE FROM users WHERE user_id = $1", user_id)) == 1
            if deleted:
                await self._outbox.append(tx, [*events_for(followers), *crossed])
            return deleted

        return await self._outbox.write(delete)

    async def follow(self, follower_id: int, followee_id: int, events: list[Event]) -> bool:
        return await self._change_edge(_FOLLOW, follower_id, followee_id, +1, events)

    async def unfollow(self, follower_id: int, followee_id: int, events: list[Event]) -> bool:
        return await self._change_edge(_UNFOLLOW, follower_id, followee_id, -1, events)

    async def _change_edge(
        self, sql: str, follower_id: int, followee_id: int, delta: int, events: list[Event]
    ) -> bool:
        async def change(tx: asyncpg.Connection) -> bool:
            await tx.execute(_LOCK_USERS, [follower_id, followee_id])  # until commit: no deletion under the edge
            crossed = await self._move_edge(tx, sql, follower_id, followee_id, delta)
            if crossed is None:
                return False
            await self._outbox.append(tx, [*events, *crossed])
            return True

        return await self._outbox.write(change)

    async def _remove_follow(self, tx: asyncpg.Connection, follower_id: int, followee_id: int) -> list[Event] | None:
        return await self._move_edge(tx, _UNFOLLOW, follower_id, followee_id, -1)

    async def _move_edge(self, tx: asyncpg.Connection, sql: str, follower_id: int, followee_id: int, delta: int) -> list[Event] | None:
        """Runs the edge's change and moves both counts by delta (the users locked); None if the edge
        did not change, else the events of a followee crossing the celebrity line."""
        if rows_affected(await tx.execute(sql, follower_id, followee_id)) != 1:
            return None
        await tx.execute(_COUNT_FOLLOWING, delta, follower_id)
        return await _cross(tx, await tx.fetch(_COUNT_FOLLOWERS, delta, followee_id), self._celebrities)


async def _cross(tx: asyncpg.Connection, counted: list, line: CelebrityLine) -> list[Event]:
    """Moves the users whose follower counts just changed across the celebrity line; their events."""
    events = []
    for row in counted:
        since, event = line.change(row["user_id"], row["celebrity_since"], row["follower_count"])
        if event is not None:
            await tx.execute(_SET_CELEBRITY, row["user_id"], since)
            events.append(event)
    return events
