"""The notification store on SQL, written once for SQLite and PostgreSQL (services/common/storage/transactions.py).

Owns the tables in schema.py. A batch of changes is one transaction; the
upsert of a group's row locks it (PostgreSQL) before its kept actors
change, so replicas consuming the same queue never lose a count.
"""

from collections.abc import Sequence

from services.common.storage.transactions import Transaction, Transactions
from services.notification.domain import KEPT_ACTORS, Activity, Change, Group, Kind, TweetGone, Undo, bucket_of

_GROUP = "g.group_id, g.recipient_id, g.kind, g.subject_id, g.actor_count, g.first_at, g.last_at, g.position"
_KEPT_IN = "SELECT a.group_id FROM notification_actors a JOIN notification_groups g ON g.group_id = a.group_id"


class SqlNotificationStore:
    def __init__(self, db: Transactions):
        self._db = db

    async def apply(self, changes: Sequence[Change], window_ms: int) -> None:
        async with self._db.transaction() as tx:
            for run in _runs(changes, window_ms):
                change = run[0]
                if isinstance(change, Activity):
                    await self._add(tx, run, window_ms)
                elif isinstance(change, Undo):
                    await self._undo(tx, change)
                elif isinstance(change, TweetGone):
                    await _drop(tx, "subject_id = ? AND kind <> ?", change.tweet_id, int(Kind.FOLLOW))
                    await self._remove_caused_by(tx, change.tweet_id)
                else:
                    await self._remove_user(tx, change.user_id)

    async def _add(self, tx: Transaction, run: list[Activity], window_ms: int) -> None:
        """Activities into one group (a burst of likes of one tweet: one upsert, at most KEPT_ACTORS actor rows)."""
        first = run[0]
        firsts: dict[int, Activity] = {}
        for a in run:
            firsts.setdefault(a.actor_id, a)  # each actor's first activity, in order
        marks = ", ".join("?" * len(firsts))
        kept = await tx.fetch_all(f"SELECT a.actor_id FROM notification_actors a JOIN notification_groups g ON g.group_id = a.group_id"
                                  f" WHERE g.recipient_id = ? AND g.kind = ? AND g.subject_id = ? AND a.actor_id IN ({marks})",
                                  first.recipient_id, int(first.kind), first.subject_id, *firsts)  # fmt: skip
        new = [a for a in firsts.values() if a.actor_id not in {row[0] for row in kept}]
        if not new:
            return
        last = new[-1]
        row = await tx.fetch_one(
            "INSERT INTO notification_groups (recipient_id, kind, subject_id, bucket, actor_count, first_at, last_at, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (recipient_id, kind, subject_id, bucket) DO UPDATE SET"
            " actor_count = notification_groups.actor_count + excluded.actor_count, last_at = excluded.last_at, position = excluded.position"
            " RETURNING group_id",
            first.recipient_id, int(first.kind), first.subject_id, bucket_of(last.at_ms, window_ms), len(new), new[0].at_ms, last.at_ms,
            last.position(),
        )  # fmt: skip
        await self._keep(tx, row[0], new[-KEPT_ACTORS:])

    async def _keep(self, tx: Transaction, group_id: int, actors: list[Activity]) -> None:
        for a in actors:
            await tx.execute("INSERT INTO notification_actors (group_id, actor_id, cause_id, at_ms) VALUES (?, ?, ?, ?)",
                             group_id, a.actor_id, a.cause_id, a.at_ms)  # fmt: skip
        kept = await tx.fetch_one("SELECT COUNT(*) FROM notification_actors WHERE group_id = ?", group_id)
        if kept[0] > KEPT_ACTORS:
            await tx.execute(
                "DELETE FROM notification_actors WHERE group_id = ? AND actor_id IN (SELECT actor_id FROM notification_actors"
                " WHERE group_id = ? ORDER BY at_ms, actor_id LIMIT ?)",
                group_id, group_id, kept[0] - KEPT_ACTORS,
            )  # fmt: skip

    async def _undo(self, tx: Transaction, u: Undo) -> bool:
        kept = await tx.fetch_one(f"{_KEPT_IN} WHERE g.recipient_id = ? AND g.kind = ? AND g.subject_id = ? AND a.actor_id = ?",
                                  u.recipient_id, int(u.kind), u.subject_id, u.actor_id)  # fmt: skip
        if kept is not None:
            await self._take_out(tx, kept[0], u.actor_id)
            return True
        if not u.counted:
            return False
        overflowing = await tx.fetch_one(
            "SELECT g.group_id FROM notification_groups g WHERE g.recipient_id = ? AND g.kind = ? AND g.subject_id = ?"
            " AND g.actor_count > (SELECT COUNT(*) FROM notification_actors a WHERE a.group_id = g.group_id)"
            " ORDER BY g.bucket DESC LIMIT 1 FOR UPDATE",
            u.recipient_id, int(u.kind), u.subject_id,
        )  # fmt: skip
        if overflowing is None:
            return False
        await self._count_down(tx, overflowing[0])
        return True

    async def _take_out(self, tx: Transaction, group_id: int, actor_id: int) -> None:
        await tx.execute("DELETE FROM notification_actors WHERE group_id = ? AND actor_id = ?", group_id, actor_id)
        await self._count_down(tx, group_id)

    async def _count_down(self, tx: Transaction, group_id: int) -> None:
        await tx.execute("UPDATE notification_groups SET actor_count = actor_count - 1 WHERE group_id = ?", group_id)
        if await tx.fetch_one("SELECT 1 FROM notification_groups WHERE group_id = ? AND actor_count <= 0", group_id):
            await _drop(tx, "group_id = ?", group_id)

    async def _remove_caused_by(self, tx: Transaction, tweet_id: int) -> None:
        for group_id, actor_id in await tx.fetch_all("SELECT group_id, actor_id FROM notification_actors WHERE cause_id = ?", tweet_id):
            await self._take_out(tx, group_id, actor_id)

    async def _remove_user(self, tx: Transaction, user_id: int) -> None:
        await _drop(tx, "recipient_id = ?", user_id)
        await tx.execute("DELETE FROM notification_reads WHERE recipient_id = ?", user_id)
        for (group_id,) in await tx.fetch_all("SELECT group_id FROM notification_actors WHERE actor_id = ?", user_id):
            await self._take_out(tx, group_id, user_id)

    async def page(self, recipient_id: int, before: int | None, limit: int) -> list[Group]:
        below = before if before is not None else 1 << 62
        rows = await self._db.read(
            f"SELECT {_GROUP} FROM notification_groups g WHERE g.recipient_id = ? AND g.position < ? ORDER BY g.position DESC LIMIT ?",
            recipient_id, below, limit,
        )  # fmt: skip
        return await self._with_actors(rows)

    async def unread(self, recipient_id: int, limit: int) -> list[Group]:
        rows = await self._db.read(
            f"SELECT {_GROUP} FROM notification_groups g WHERE g.recipient_id = ? AND g.position >"
            " COALESCE((SELECT position FROM notification_reads WHERE recipient_id = ?), -1) ORDER BY g.position DESC LIMIT ?",
            recipient_id, recipient_id, limit,
        )  # fmt: skip
        return await self._with_actors(rows)

    async def count_unread(self, recipient_id: int) -> int:
        rows = await self._db.read(
            "SELECT COUNT(*) FROM notification_groups g WHERE g.recipient_id = ? AND g.position >"
            " COALESCE((SELECT position FROM notification_reads WHERE recipient_id = ?), -1)",
            recipient_id, recipient_id,
        )  # fmt: skip
        return rows[0][0]

    async def read_position(self, recipient_id: int) -> int:
        rows = await self._db.read("SELECT position FROM notification_reads WHERE recipient_id = ?", recipient_id)
        return rows[0][0] if rows else -1

    async def mark_read(self, recipient_id: int, position: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO notification_reads (recipient_id, position) VALUES (?, ?) ON CONFLICT (recipient_id) DO UPDATE SET"
                " position = CASE WHEN excluded.position > notification_reads.position THEN excluded.position"
                " ELSE notification_reads.position END",
                recipient_id, position,
            )  # fmt: skip

    async def stored_rows(self, recipient_id: int) -> tuple[int, int]:
        """The rows the recipient's notifications take: groups, and the actors kept beside them (the benchmark's figure)."""
        groups = await self._db.read("SELECT COUNT(*) FROM notification_groups WHERE recipient_id = ?", recipient_id)
        actors = await self._db.read(
            "SELECT COUNT(*) FROM notification_actors a JOIN notification_groups g ON g.group_id = a.group_id WHERE g.recipient_id = ?",
            recipient_id,
        )  # fmt: skip
        return groups[0][0], actors[0][0]

    async def close(self) -> None:
        pass

    async def _with_actors(self, rows) -> list[Group]:
        if not rows:
            return []
        ids = [row[0] for row in rows]
        marks = ", ".join("?" * len(ids))
        kept: dict[int, list[int]] = {}
        for group_id, actor_id in await self._db.read(
            f"SELECT group_id, actor_id FROM notification_actors WHERE group_id IN ({marks}) ORDER BY at_ms DESC, actor_id DESC", *ids
        ):
            kept.setdefault(group_id, []).append(actor_id)
        return [Group(r[0], r[1], Kind(r[2]), r[3], r[4], r[5], r[6], r[7], tuple(kept.get(r[0], ()))) for r in rows]


async def _drop(tx: Transaction, where: str, *args) -> None:
    """Deletes the groups matching `where` (on notification_groups) and their kept actors."""
    await tx.execute(f"DELETE FROM notification_actors WHERE group_id IN (SELECT group_id FROM notification_groups WHERE {where})", *args)
    await tx.execute(f"DELETE FROM notification_groups WHERE {where}", *args)


def _runs(changes: Sequence[Change], window_ms: int) -> list[list[Change]]:
    """The changes in order, consecutive activities into one group (same recipient, kind, subject, window) taken together."""
    runs: list[list[Change]] = []
    for change in changes:
        previous = runs[-1][0] if runs else None
        if isinstance(change, Activity) and isinstance(previous, Activity) and _group_of(previous, window_ms) == _group_of(change, window_ms):
            runs[-1].append(change)
        else:
            runs.append([change])
    return runs


def _group_of(a: Activity, window_ms: int) -> tuple[int, int, int, int]:
    return a.recipient_id, int(a.kind), a.subject_id, bucket_of(a.at_ms, window_ms)
