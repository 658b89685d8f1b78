"""Friends of friends in SQLite: the counts in one aggregate, then who follows each of the best."""

from collections.abc import Sequence

from services.common.storage.sqlite import Database, placeholders
from services.graph.suggestions import FOLLOWED_BY_SHOWN, Candidate

_MINE = "SELECT followee_id FROM follows WHERE follower_id = ?1"
_COUNTED = f"""
WITH counted AS (
  SELECT f.followee_id AS candidate, count(*) AS n FROM follows f
  WHERE f.follower_id IN ({_MINE}) AND f.followee_id <> ?1 AND f.followee_id NOT IN ({_MINE})
  GROUP BY f.followee_id
), cut AS (SELECT n FROM counted ORDER BY n DESC LIMIT ?2)
SELECT c.candidate, c.n, u.follower_count FROM counted c JOIN users u ON u.user_id = c.candidate
WHERE c.n >= (SELECT min(n) FROM cut)
ORDER BY c.n DESC, u.follower_count DESC, c.candidate LIMIT ?2
"""


def _followed_by(count: int) -> str:
    """Which of the user's followees follow each candidate, the most followed first."""
    return (
        "SELECT f.followee_id, f.follower_id FROM follows f JOIN users u ON u.user_id = f.follower_id "
        f"WHERE f.follower_id IN ({_MINE}) AND f.followee_id IN ({placeholders(count)}) "
        "ORDER BY u.follower_count DESC, f.follower_id"
    )


class SqliteCandidates:
    def __init__(self, db: Database):
        self._db = db

    async def candidates(self, user_id: int, limit: int) -> tuple[Candidate, ...]:
        counted = await self._db.fetch_all(_COUNTED, (user_id, limit))
        if not counted:
            return ()
        via: dict[int, list[int]] = {row[0]: [] for row in counted}
        for candidate, followee in await self._db.fetch_all(_followed_by(len(via)), (user_id, *via)):
            if len(via[candidate]) < FOLLOWED_BY_SHOWN:
                via[candidate].append(followee)
        return tuple(Candidate(c, n, followers, tuple(via[c])) for c, n, followers in counted)

    async def followed_among(self, user_id: int, candidate_ids: Sequence[int]) -> set[int]:
        """candidate_ids: at most KEPT_CANDIDATES, well under SQLite's limit on parameters."""
        if not candidate_ids:
            return set()
        sql = f"SELECT followee_id FROM follows WHERE follower_id = ? AND followee_id IN ({placeholders(len(candidate_ids))})"
        return {row[0] for row in await self._db.fetch_all(sql, (user_id, *candidate_ids))}
