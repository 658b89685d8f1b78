"""The graph's system of record in SQLite."""

import sqlite3
from collections.abc import Callable, Sequence

import aiosqlite

from services.common.kernel.errors import AlreadyExists
from services.common.kernel.events import Event
from services.common.kernel.ids import possible_ids
from services.common.kernel.pagination import Page, PageRequest, page_of
from services.common.messaging.outbox.sqlite_store import SqliteOutbox
from services.common.storage.sqlite import Database, placeholders
from services.graph.adapters.rows import USER_COLUMNS, user_from_epoch_row
from services.graph.adapters.sqlite_blocks import SqliteBlocks, forget_user
from services.graph.adapters.sqlite_follow_batches import SqliteFollowBatches
from services.graph.domain import CelebrityLine, User, handle_key


class SqliteGraphRepository(SqliteBlocks, SqliteFollowBatches):
    def __init__(self, db: Database, outbox: SqliteOutbox, celebrities: CelebrityLine):
        self._db = db
        self._outbox = outbox
        self._celebrities = celebrities

    async def add_user(self, user: User) -> None:
        try:
            async with self._db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO users (user_id, handle, handle_key, display_name, created_at) VALUES (?, ?, ?, ?, ?)",
                    (user.user_id, user.handle, handle_key(user.handle), user.display_name, user.created_at.timestamp()),
                )
        except sqlite3.IntegrityError as error:
            if "users.handle_key" not in str(error):
                raise
            raise AlreadyExists(f"the handle {user.handle!r} is taken; choose another", field="handle") from None

    async def get(self, user_id: int) -> User | None:
        row = await self._db.fetch_one(f"SELECT {USER_COLUMNS} FROM users u WHERE user_id = ?", (user_id,))
        return user_from_epoch_row(row) if row else None

    async def get_by_handle(self, handle: str) -> User | None:
        row = await self._db.fetch_one(f"SELECT {USER_COLUMNS} FROM users u WHERE handle_key = ?", (handle_key(handle),))
        return user_from_epoch_row(row) if row else None

    async def get_many(self, user_ids: Sequence[int]) -> list[User]:
        unique = list(dict.fromkeys(possible_ids(user_ids)))
        rows = await self._db.fetch_all(
            f"SELECT {USER_COLUMNS} FROM users u WHERE user_id IN ({placeholders(len(unique))})", unique
        )
        found = {row["user_id"]: user_from_epoch_row(row) for row in rows}
        return [found[user_id] for user_id in unique if user_id in found]

    async def mark_celebrities(self) -> None:
        """Users at or over the threshold who are not marked yet become celebrities (after an upgrade,
        or a lower threshold). No event: becoming one needs no fan-out work."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE users SET celebrity_since = ? WHERE celebrity_since = 0 AND follower_count >= ?",
                (self._celebrities.clock(), self._celebrities.threshold),
            )

    async def largest_id(self) -> int:
        row = await self._db.fetch_one("SELECT MAX(user_id) AS m FROM users")
        return row["m"] or 0

    async def delete_user(self, user_id: int, events_for: Callable[[list[int]], list[Event]]) -> bool:
        async def delete(tx: aiosqlite.Connection) -> bool:
            followers = [r[0] for r in await tx.execute_fetchall("SELECT follower_id FROM follows WHERE followee_id = ?", (user_id,))]
            await tx.execute(
                "UPDATE users SET following_count = following_count - 1 WHERE user_id IN "
                "(SELECT follower_id FROM follows WHERE followee_id = ?)", (user_id,)
            )
            counted = await tx.execute_fetchall(
                "UPDATE users SET follower_count = follower_count - 1 WHERE user_id IN "
                "(SELECT followee_id FROM follows WHERE follower_id = ?) RETURNING user_id, follower_count, celebrity_since",
                (user_id,),
            )
            crossed = await _cross(tx, counted, self._celebrities)
            await tx.execute("DELETE FROM follows WHERE follower_id = ? OR followee_id = ?", (user_id, user_id))
            await forget_user(tx, user_id)
            deleted = (await tx.execute("DELETE FROM users WHERE user_id = ?", (user_id,))).rowcount == 1
            if deleted:
                await self._outbox.append(tx, [*events_for(followers), *crossed])
            return deleted

        return await self._outbox.write(delete)

    async def follow(self, follower_id: int, followee_id: int, events: list[Event]) -> bool:
        sql = (
            "INSERT OR IGNORE INTO follows (follower_id, followee_id) SELECT ?1, ?2 "
            "WHERE EXISTS (SELECT 1 FROM users WHERE user_id = ?1) AND EXISTS (SELECT 1 FROM users WHERE user_id = ?2) "
            "AND NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id IN (?1, ?2) AND blocked_id IN (?1, ?2))"
        )  # checked inside the transaction, so a follow can't outlive a concurrent account deletion or cross a block
        return await self._change_edge(sql, follower_id, followee_id, +1, events)

    async def unfollow(self, follower_id: int, followee_id: int, events: list[Event]) -> bool:
        sql = "DELETE FROM follows WHERE follower_id = ? AND followee_id = ?"
        return await self._change_edge(sql, follower_id, followee_id, -1, events)

    async def is_following(self, follower_id: int, followee_id: int) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 FROM follows WHERE follower_id = ? AND followee_id = ?", (follower_id, followee_id)
        )
        return row is not None

    async def followers_among(self, followee_id: int, candidate_ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        candidates = list(dict.fromkeys(possible_ids(candidate_ids)))
        for start in range(0, len(candidates), 10_000):  # SQLite takes at most 32,766 parameters
            batch = candidates[start : start + 10_000]
            rows = await self._db.fetch_all(
                f"SELECT follower_id FROM follows WHERE followee_id = ? AND follower_id IN ({placeholders(len(batch))})",
                (followee_id, *batch),
            )
            found.update(row[0] for row in rows)
        return found

    async def followers(self, user_id: int, page: PageRequest) -> Page[User]:
        return await self._users_page("followee_id", "follower_id", user_id, page)

    async def following(self, user_id: int, page: PageRequest) -> Page[User]:
        return await self._users_page("follower_id", "followee_id", user_id, page)

    async def follower_ids(self, user_id: int, page: PageRequest) -> Page[int]:
        rows = await self._db.fetch_all(
            "SELECT seq, follower_id FROM follows WHERE followee_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (user_id, page.cursor or 0, page.size + 1),
        )
        return page_of(rows, page.size, lambda row: row["seq"], lambda row: row["follower_id"])

    async def following_ids(self, user_id: int, celebrities_only: bool = False) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT f.followee_id FROM follows f JOIN users u ON u.user_id = f.followee_id "
            "WHERE f.follower_id = ? AND (u.celebrity_since <> 0 OR NOT ?)",
            (user_id, celebrities_only),
        )
        return [row[0] for row in rows]

    async def _change_edge(
        self, sql: str, follower_id: int, followee_id: int, delta: int, events: list[Event]
    ) -> bool:
        async def change(tx: aiosqlite.Connection) -> bool:
            crossed = await self._move_edge(tx, sql, follower_id, followee_id, delta)
            if crossed is None:
                return False
            await self._outbox.append(tx, [*events, *crossed])
            return True

        return await self._outbox.write(change)

    async def _remove_follow(self, tx: aiosqlite.Connection, follower_id: int, followee_id: int) -> list[Event] | None:
        sql = "DELETE FROM follows WHERE follower_id = ? AND followee_id = ?"
        return await self._move_edge(tx, sql, follower_id, followee_id, -1)

    async def _move_edge(self, tx: aiosqlite.Connection, sql: str, follower_id: int, followee_id: int, delta: int) -> list[Event] | None:
        """Runs the edge's change and moves both counts by delta; None if the edge did not change,
        else the events of a followee crossing the celebrity line."""
        if (await tx.execute(sql, (follower_id, followee_id))).rowcount != 1:
            return None
        await tx.execute("UPDATE users SET following_count = following_count + ? WHERE user_id = ?", (delta, follower_id))
        counted = await tx.execute_fetchall(
            "UPDATE users SET follower_count = follower_count + ? WHERE user_id = ? "
            "RETURNING user_id, follower_count, celebrity_since",
            (delta, followee_id),
        )
        return await _cross(tx, counted, self._celebrities)

    async def _users_page(self, anchor: str, other: str, user_id: int, page: PageRequest, table: str = "follows") -> Page[User]:
        """Users on the `other` side of a table's edges whose `anchor` is user_id, newest edge first."""
        rows = await self._db.fetch_all(
            f"SELECT f.seq, {USER_COLUMNS} FROM {table} f JOIN users u ON u.user_id = f.{other} "
            f"WHERE f.{anchor} = ? AND f.seq < ? ORDER BY f.seq DESC LIMIT ?",
            (user_id, page.cursor or 2**62, page.size + 1),
        )
        return page_of(rows, page.size, lambda row: row["seq"], user_from_epoch_row)


async def _cross(tx: aiosqlite.Connection, counted, line: CelebrityLine) -> list[Event]:
    """Moves the users whose follower counts just changed across the celebrity line; their events."""
    events = []
    for user_id, follower_count, since in counted:
        since_after, event = line.change(user_id, since, follower_count)
        if event is not None:
            await tx.execute("UPDATE users SET celebrity_since = ? WHERE user_id = ?", (since_after, user_id))
            events.append(event)
    return events
