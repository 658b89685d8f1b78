"""Reading the follow edges in the graph's PostgreSQL store (a part of PostgresGraphRepository): who follows
whom, by id or as users, newest edge first."""

from collections.abc import Sequence

from services.common.kernel.ids import possible_ids
from services.common.kernel.pagination import Page, PageRequest, page_of
from services.graph.adapters.rows import USER_COLUMNS, follower_id_pages, followers_by_question, user_from_row
from services.graph.domain import User

_FOLLOWER_ID_PAGES = (
    "SELECT q.n - 1, f.seq, f.follower_id FROM unnest($1::bigint[], $2::bigint[], $3::int[]) WITH ORDINALITY AS q(user_id, after, size, n) "
    "CROSS JOIN LATERAL (SELECT seq, follower_id FROM follows WHERE followee_id = q.user_id AND seq > q.after ORDER BY seq LIMIT q.size) f "
    "ORDER BY q.n, f.seq"
)  # each request's page, one more row than asked for telling whether more follow
_FOLLOWERS_AMONG_EACH = (
    "SELECT q.n, q.follower_id FROM unnest($1::int[], $2::bigint[], $3::bigint[]) AS q(n, followee_id, follower_id) "
    "JOIN follows f ON f.followee_id = q.followee_id AND f.follower_id = q.follower_id"
)

class PostgresFollowReads:
    """Needs _db from the repository."""

    async def is_following(self, follower_id: int, followee_id: int) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2", follower_id, followee_id
        )
        return row is not None

    async def followers_among(self, followee_id: int, candidate_ids: Sequence[int]) -> set[int]:
        rows = await self._db.fetch_all(
            "SELECT follower_id FROM follows WHERE followee_id = $1 AND follower_id = ANY($2::bigint[])",
            followee_id, list(possible_ids(candidate_ids)),
        )  # fmt: skip
        return {row[0] for row in rows}

    async def followers_among_each(self, questions: Sequence[tuple[int, Sequence[int]]]) -> list[set[int]]:
        pairs = [(n, followee_id, candidate) for n, (followee_id, candidates) in enumerate(questions) for candidate in possible_ids(candidates)]
        rows = await self._db.fetch_all(_FOLLOWERS_AMONG_EACH, *(list(column) for column in zip(*pairs))) if pairs else []
        return followers_by_question(rows, questions)

    async def followers(self, user_id: int, page: PageRequest) -> Page[User]:
        return await self._users_page("followee_id", "follower_id", user_id, page)

    async def following(self, user_id: int, page: PageRequest) -> Page[User]:
        return await self._users_page("follower_id", "followee_id", user_id, page)

    async def follower_ids(self, user_id: int, page: PageRequest) -> Page[int]:
        rows = await self._db.fetch_all(
            "SELECT seq, follower_id FROM follows WHERE followee_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            user_id, page.cursor or 0, page.size + 1,
        )  # fmt: skip
        return page_of(rows, page.size, lambda row: row["seq"], lambda row: row["follower_id"])

    async def follower_id_pages(self, requests: Sequence[tuple[int, PageRequest]]) -> list[Page[int]]:
        rows = await self._db.fetch_all(
            _FOLLOWER_ID_PAGES,
            [user_id for user_id, _ in requests], [page.cursor or 0 for _, page in requests], [page.size + 1 for _, page in requests],
        )  # fmt: skip
        return follower_id_pages(rows, requests)

    async def following_ids(self, user_id: int, celebrities_only: bool = False) -> list[int]:
        if not celebrities_only:
            rows = await self._db.fetch_all("SELECT followee_id FROM follows WHERE follower_id = $1", user_id)
        else:
            rows = await self._db.fetch_all(
                "SELECT f.followee_id FROM follows f JOIN users u ON u.user_id = f.followee_id "
                "WHERE f.follower_id = $1 AND u.celebrity_since <> 0",
                user_id,
            )  # fmt: skip
        return [row[0] for row in rows]

    async def _users_page(self, anchor: str, other: str, user_id: int, page: PageRequest, table: str = "follows") -> Page[User]:
        """Users on the `other` side of a table's edges whose `anchor` is user_id, newest edge first."""
        rows = await self._db.fetch_all(
            f"SELECT f.seq, {USER_COLUMNS} FROM {table} f JOIN users u ON u.user_id = f.{other} "
            f"WHERE f.{anchor} = $1 AND f.seq < $2 ORDER BY f.seq DESC LIMIT $3",
            user_id, page.cursor or 2**62, page.size + 1,
        )  # fmt: skip
        return page_of(rows, page.size, lambda row: row["seq"], user_from_row)

