"""Who to follow: a user's ranking, computed from the graph, kept a while, shown through what changed since.

A ranking is computed from the system of record (one friends-of-friends
aggregate) and kept for up to max_age_seconds; the response says how old it
is. Reads are served from the kept ranking. A read finding it older than half
of max_age has it computed again in the background, so a user who reads
often is always served a kept ranking at most max_age old. The user's own
follow or unfollow drops it and, when one was kept (the user reads them lately),
has it computed again in the background at once (the follow does not
wait); a read before that computes it itself. A
user with no kept ranking (a first read, or one unread for max_age) waits for
the aggregate. Each read drops, from the kept ranking, the accounts the user
follows now and the accounts hidden from them either way.
"""

import asyncio

from services.common.kernel.errors import Unauthenticated
from services.common.kernel.ids import wall_clock_ms
from services.common.kernel.pagination import PageLimits
from services.common.visibility.rules import Surface
from services.graph.domain import User
from services.graph.ports import GraphRepository
from services.graph.suggestion_ports import CandidateSource, HiddenLookup, RankingCache
from services.graph.suggestion_refresher import Refresher
from services.graph.suggestions import DEFAULT_PAGE, KEPT_CANDIDATES, Candidate, Ranking, Suggestion, Suggestions, reason, shown

SUGGESTION_PAGES = PageLimits(default=DEFAULT_PAGE, maximum=KEPT_CANDIDATES)


class SuggestionService:
    def __init__(self, users: GraphRepository, candidates: CandidateSource, rankings: RankingCache, hidden: HiddenLookup,
                 max_age_seconds: int, clock=wall_clock_ms):  # fmt: skip
        self._users = users
        self._hidden_lookup = hidden
        self._candidates = candidates
        self._rankings = rankings
        self._max_age_seconds = max_age_seconds
        self._clock = clock
        self.refresher = Refresher(self.refresh)

    async def suggestions(self, actor_id: int, page_size: int) -> Suggestions:
        """Reads the ranking and the hidden accounts side by side, then asks which candidates the user follows
        now while reading the first page's users: a kept ranking rarely holds one (it was computed without them)."""
        size = SUGGESTION_PAGES.size(page_size)
        ranking, hidden = await asyncio.gather(self._ranking(actor_id), self._hidden(actor_id))
        kept = shown(ranking, actor_id, hidden, len(ranking.candidates))
        likely = kept[:size]
        followed, found = await asyncio.gather(self._candidates.followed_among(actor_id, [c.user_id for c in kept]),
                                               self._named(likely, hidden))  # fmt: skip
        picked = [c for c in kept if c.user_id not in followed][:size]
        asked = {c.user_id for c in likely}
        if late := [c for c in picked if c.user_id not in asked]:  # in place of first-page ones followed now
            found |= await self._named(late, hidden)
        return Suggestions(_items(picked, found), max(0, (self._clock() - ranking.computed_ms) // 1000))

    async def follows_changed(self, user_id: int) -> None:
        if await self._rankings.drop([user_id]):  # computed again only for a user who reads them lately
            self.refresher.ask(user_id)

    async def account_deleted(self, user_id: int) -> None:
        await self._rankings.drop([user_id])

    async def refresh(self, user_id: int) -> Ranking:
        """Computes the user's ranking now and keeps it (what the background refresher runs)."""
        ranking = Ranking(self._clock(), await self._candidates.candidates(user_id, KEPT_CANDIDATES))
        await self._rankings.put(user_id, ranking, self._max_age_seconds)
        return ranking

    async def close(self) -> None:
        await self.refresher.close()

    async def _ranking(self, user_id: int) -> Ranking:
        ranking = await self._rankings.get(user_id)
        if ranking is None:  # a kept ranking is an account's: deleting one drops it
            if await self._users.get(user_id) is None:
                raise Unauthenticated(f"the acting user {user_id} has no account; register first")
            return await self.refresh(user_id)
        if self._clock() - ranking.computed_ms > self._max_age_seconds * 500:
            self.refresher.ask(user_id)
        return ranking

    async def _named(self, candidates: list[Candidate], hidden: frozenset[int]) -> dict[int, User]:
        """The users a page shows: the candidates and the followees named for them, less the hidden."""
        named = [i for c in candidates for i in (c.user_id, *c.followed_by) if i not in hidden]
        return {u.user_id: u for u in await self._users.get_many(named)} if named else {}

    async def _hidden(self, user_id: int) -> frozenset[int]:
        """Blocked either way, and muted by the user: never suggested, nor named in a reason."""
        return (await self._hidden_lookup.hidden_from(user_id)).on(Surface.SUGGESTIONS)


def _items(picked: list[Candidate], found: dict[int, User]) -> list[Suggestion]:
    items = []
    for candidate in picked:
        if candidate.user_id in found:  # absent: deleted since the ranking was computed
            via = tuple(found[i] for i in candidate.followed_by if i in found)
            items.append(Suggestion(found[candidate.user_id], candidate.followed_by_count, via, reason(via, candidate.followed_by_count)))
    return items
