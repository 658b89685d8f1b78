"""Who to follow: the ranking rules, whatever computes and keeps the candidates.

A candidate is an account followed by accounts the user follows. Candidates
rank by how many of the user's followees follow them, ties by their own
follower count, then by id (so equal inputs give one order). A ranking is
computed for a user and kept a while (see SuggestionService); what changes
faster than it is applied when it is read: accounts the user follows now,
the user themselves, and accounts hidden either way are dropped.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from services.graph.domain import User

KEPT_CANDIDATES = 100  # ranked and kept per user: the most a page can show
FOLLOWED_BY_SHOWN = 3  # followees named per suggestion, best known first
DEFAULT_PAGE = 20


@dataclass(frozen=True)
class Candidate:
    user_id: int
    followed_by_count: int  # how many of the user's followees follow this account
    follower_count: int
    followed_by: tuple[int, ...] = ()  # a few of those followees, best known first


@dataclass(frozen=True)
class Ranking:
    """A user's candidates, best first, as computed at computed_ms."""

    computed_ms: int
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class Suggestion:
    user: User
    followed_by_count: int
    followed_by: tuple[User, ...]
    reason: str


@dataclass(frozen=True)
class Suggestions:
    items: list[Suggestion]
    staleness_seconds: int


def rank(candidates: Iterable[Candidate], limit: int = KEPT_CANDIDATES) -> tuple[Candidate, ...]:
    """The best `limit` candidates: most followees following first, ties by follower count, then id."""
    ordered = sorted(candidates, key=lambda c: (-c.followed_by_count, -c.follower_count, c.user_id))
    return tuple(ordered[:limit])


def shown(ranking: Ranking, user_id: int, excluded: set[int] | frozenset[int], size: int) -> list[Candidate]:
    """The first `size` candidates still worth suggesting: not the user, nor an excluded account."""
    kept = [c for c in ranking.candidates if c.user_id != user_id and c.user_id not in excluded]
    return kept[:size]


def reason(followed_by: Iterable[User], count: int) -> str:
    """'followed by alice', 'followed by alice and 1 other', 'followed by alice and 3 others' (handles)."""
    names = [user.handle for user in followed_by][:1]
    if not names:
        return f"followed by {count} accounts you follow" if count > 1 else "followed by an account you follow"
    others = count - len(names)
    if others <= 0:
        return f"followed by {names[0]}"
    return f"followed by {names[0]} and {others} other" + ("s" if others > 1 else "")
