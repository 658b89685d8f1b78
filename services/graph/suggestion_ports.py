"""What who-to-follow needs: a source of ranked candidates, and a place to keep rankings a while."""

from collections.abc import Sequence
from typing import Protocol

from services.graph.suggestions import Candidate, Ranking


class CandidateSource(Protocol):
    """Friends of friends, read from the graph's system of record."""

    async def candidates(self, user_id: int, limit: int) -> tuple[Candidate, ...]:
        """The user's best `limit` candidates in suggestions.rank's order: accounts followed by the
        accounts the user follows, never the user nor an account the user follows. Each names up to
        FOLLOWED_BY_SHOWN of those followees, the most followed first."""


class RankingCache(Protocol):
    """Rankings kept per user for a bounded time (in memory, or shared through Redis)."""

    async def get(self, user_id: int) -> Ranking | None: ...

    async def put(self, user_id: int, ranking: Ranking, ttl_seconds: int) -> None: ...

    async def drop(self, user_ids: Sequence[int]) -> int:
        """Forgets the users' rankings, so the next read computes them again; how many were kept."""
