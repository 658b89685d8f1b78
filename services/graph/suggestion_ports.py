"""What who-to-follow needs: a source of ranked candidates, a place to keep rankings a while, and what each reader hides."""

from collections.abc import Sequence
from typing import Protocol

from services.graph.domain import HiddenAccounts
from services.graph.suggestions import Candidate, Ranking


class CandidateSource(Protocol):
    """Friends of friends, read from the graph's system of record."""

    async def candidates(self, user_id: int, limit: int) -> tuple[Candidate, ...]:
        """The user's best `limit` candidates in suggestions.rank's order: accounts followed by the
        accounts the user follows, never the user nor an account the user follows. Each names up to
        FOLLOWED_BY_SHOWN of those followees, the most followed first."""

    async def followed_among(self, user_id: int, candidate_ids: Sequence[int]) -> set[int]:
        """Which of the candidates (at most KEPT_CANDIDATES) the user follows now."""


class RankingCache(Protocol):
    """Rankings kept per user for a bounded time (in memory, or shared through Redis)."""

    async def get(self, user_id: int) -> Ranking | None: ...

    async def put(self, user_id: int, ranking: Ranking, ttl_seconds: int) -> None: ...

    async def drop(self, user_ids: Sequence[int]) -> int:
        """Forgets the users' rankings, so the next read computes them again; how many were kept."""


class HiddenLookup(Protocol):
    """Each viewer's hidden accounts through the shared cached lookup (services/common/visibility/cached.py):
    the copy Graph writes as each block or mute commits, filled from the repository on a miss."""

    async def hidden_from(self, viewer_id: int | None) -> HiddenAccounts: ...
