"""Friends of friends in PostgreSQL: one aggregate over the follows of the user's followees.

The follows' unique (follower_id, followee_id) index serves both steps as
index-only scans: the user's followees, then each one's followees. Only
candidates that can still make the cut (as many followees following as the
limit-th best, or more) are joined with users for the tie-break.
"""

from collections.abc import Sequence

from services.common.storage.postgres import PostgresDatabase
from services.graph.suggestions import FOLLOWED_BY_SHOWN, Candidate

CANDIDATES = f"""
WITH mine AS (
  SELECT f.followee_id AS id, u.follower_count AS known
  FROM follows f JOIN users u ON u.user_id = f.followee_id WHERE f.follower_id = $1
), counted AS (
  SELECT f.followee_id AS candidate, count(*) AS n,
         (array_agg(f.follower_id ORDER BY m.known DESC, f.follower_id))[1:{FOLLOWED_BY_SHOWN}] AS via
  FROM mine m JOIN follows f ON f.follower_id = m.id
  WHERE f.followee_id <> $1 AND f.followee_id NOT IN (SELECT id FROM mine)
  GROUP BY f.followee_id
), cut AS (SELECT n FROM counted ORDER BY n DESC LIMIT $2)
SELECT c.candidate, c.n, u.follower_count, c.via FROM counted c JOIN users u ON u.user_id = c.candidate
WHERE c.n >= (SELECT min(n) FROM cut)
ORDER BY c.n DESC, u.follower_count DESC, c.candidate LIMIT $2
"""
FOLLOWED_AMONG = "SELECT followee_id FROM follows WHERE follower_id = $1 AND followee_id = ANY($2::bigint[])"


class PostgresCandidates:
    def __init__(self, db: PostgresDatabase):
        self._db = db

    async def candidates(self, user_id: int, limit: int) -> tuple[Candidate, ...]:
        rows = await self._db.fetch_all(CANDIDATES, user_id, limit)
        return tuple(Candidate(row["candidate"], row["n"], row["follower_count"], tuple(row["via"])) for row in rows)

    async def followed_among(self, user_id: int, candidate_ids: Sequence[int]) -> set[int]:
        return {row[0] for row in await self._db.fetch_all(FOLLOWED_AMONG, user_id, list(candidate_ids))}
