"""Who-to-follow's rules and its background refresher, without I/O."""

import asyncio
from datetime import datetime, timezone

from services.common.visibility.rules import HiddenAccounts
from services.graph.adapters.memory_rankings import MemoryRankings
from services.graph.domain import User
from services.graph.suggestion_refresher import Refresher
from services.graph.suggestion_service import SuggestionService
from services.graph.suggestions import Candidate, Ranking, rank, reason, shown


def user(handle: str) -> User:
    return User(1, handle, handle, datetime.now(timezone.utc))


def test_reason_names_the_first_followee_and_counts_the_others():
    assert reason([user("alice"), user("bob")], 4) == "followed by alice and 3 others"
    assert reason([user("alice")], 2) == "followed by alice and 1 other"
    assert reason([user("alice")], 1) == "followed by alice"
    assert reason([], 3) == "followed by 3 accounts you follow"  # the followees named were deleted
    assert reason([], 1) == "followed by an account you follow"


def test_rank_orders_by_count_then_follower_count_then_id():
    found = rank([Candidate(5, 1, 9), Candidate(4, 2, 0), Candidate(3, 1, 9), Candidate(2, 1, 10)], limit=3)
    assert [c.user_id for c in found] == [4, 2, 3]


def test_shown_skips_the_user_and_the_excluded():
    ranking = Ranking(0, tuple(Candidate(n, 1, 0) for n in (7, 8, 9, 10)))
    assert [c.user_id for c in shown(ranking, 7, {9}, 5)] == [8, 10]
    assert [c.user_id for c in shown(ranking, 7, set(), 1)] == [8]


class Users:
    """The repository's reads a suggestions read makes."""

    def __init__(self, ids):
        self.users = {i: User(i, f"u{i}", f"u{i}", datetime.now(timezone.utc)) for i in ids}

    async def get(self, user_id):
        return self.users.get(user_id)

    async def get_many(self, user_ids):
        return [self.users[i] for i in dict.fromkeys(user_ids) if i in self.users]


class FollowedNow:
    def __init__(self, followed):
        self.followed = followed

    async def followed_among(self, user_id, candidate_ids):
        return self.followed & set(candidate_ids)


class Hidden:
    def __init__(self, hidden):
        self.hidden = hidden

    async def hidden_from(self, viewer_id):
        return self.hidden


async def test_a_kept_candidate_followed_now_gives_its_place_to_the_next_and_hidden_ones_are_not_named():
    rankings = MemoryRankings()
    ranking = (Candidate(10, 2, 0, (2, 3)), Candidate(11, 1, 0, (2,)), Candidate(12, 1, 0, (3,)), Candidate(13, 1, 0, (2,)), Candidate(14, 1, 0))
    await rankings.put(1, Ranking(0, ranking), 60)
    hidden = HiddenAccounts(blocked=frozenset({14}), muted=frozenset({3}))
    service = SuggestionService(Users([1, 2, 3, 10, 11, 12, 13, 14]), FollowedNow({11}), rankings, Hidden(hidden), 60, clock=lambda: 0)
    found = (await service.suggestions(1, 3)).items
    assert [(s.user.user_id, [u.user_id for u in s.followed_by]) for s in found] == [(10, [2]), (12, []), (13, [2])]
    assert [s.user.user_id for s in (await service.suggestions(1, 10)).items] == [10, 12, 13]


async def test_a_user_asked_for_while_computing_is_computed_once_more():
    started, release, runs = asyncio.Event(), asyncio.Event(), []

    async def refresh(user_id: int) -> None:
        runs.append(user_id)
        started.set()
        await release.wait()

    refresher = Refresher(refresh)
    refresher.ask(1)
    await started.wait()
    refresher.ask(1)
    refresher.ask(1)  # one more run covers both asks
    release.set()
    await refresher.settle()
    assert runs == [1, 1]


async def test_asks_past_the_limit_are_dropped_and_failures_are_logged_not_raised():
    runs = []

    async def refresh(user_id: int) -> None:
        runs.append(user_id)
        raise RuntimeError("the store is down")

    refresher = Refresher(refresh, max_pending=2)
    for user_id in (1, 2, 3):
        refresher.ask(user_id)
    await refresher.settle()
    assert sorted(runs) == [1, 2]
