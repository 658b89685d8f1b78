"""A warm home page from the embedded read model, in one pass over process memory.

What the Redis page script (redis_home.py) does, by the same rules: the
reader's pushed ids merged with their own and their celebrities' kept
recent posts (newest first, below the cursor, each id once, a window of
each list), walked in order, keeping each card that the copies show
(MemoryCopies.card: neither a tombstone, nor a retweet of one, nor by an
account deleted lately), that is not a second showing of an original and
not by an account hidden from the reader, with the viewer's state on it,
until the page is full. It changes nothing: when anything it needs is not
kept (the reader's entry, a list, a card, a viewer state, the hidden
accounts), or the walk would go below the end of an author's trimmed list,
it answers None and the Timeline service reads the slow way, which builds
what was missing. It awaits nothing, so a page costs no task and no switch.
"""

from services.common.kernel.pagination import Page, PageRequest
from services.common.visibility.copies import MemoryHiddenCopies
from services.common.visibility.rules import Surface
from services.timeline.adapters.memory_cache import InMemoryTimelineCache, ids_below
from services.timeline.adapters.memory_read_model import MemoryCopies
from services.timeline.domain import Card
from services.timeline.read_model import POSTS_KEPT


class MemoryHomePages:
    def __init__(self, timelines: InMemoryTimelineCache, copies: MemoryCopies, posts: InMemoryTimelineCache, hidden: MemoryHiddenCopies):
        self._timelines, self._copies, self._posts, self._hidden = timelines, copies, posts, hidden

    async def page(self, reader_id: int, page: PageRequest, keep: bool = False) -> Page[Card] | None:
        """The page, or None when the read model lacks something it needs."""
        celebrities, hidden = self._copies.kept_celebrities(reader_id), self._hidden.kept(reader_id)
        pushed, states = self._timelines.kept(reader_id), self._copies.kept_states(reader_id)
        if celebrities is None or hidden is None or pushed is None or states is None:
            return None
        window = page.size * 2
        lanes = [(ids_below(pushed, page.cursor, window), pushed, False)]
        for author in (reader_id, *celebrities):
            posts = self._posts.kept(author)
            if posts is None:
                return None
            lanes.append((ids_below(posts, page.cursor, window), posts, True))
        # floor: a lane gave its window and more may follow unread, so nothing below its last is read;
        # trimmed: an author's trimmed list ends above the floor, so only storage knows what lies below its end
        floor = max((ids[-1] for ids, _, _ in lanes if len(ids) == window), default=None)
        ends = [ids[-1] if ids else page.cursor or 0 for ids, whole, bounded in lanes if bounded and len(ids) < window and len(whole) >= POSTS_KEPT]
        trimmed = max((end for end in ends if floor is None or end >= floor), default=None)
        candidates = sorted({i for ids, _, _ in lanes for i in ids if floor is None or i >= floor}, reverse=True)
        return self._walk(reader_id, candidates, page.size, floor is not None, trimmed, states, hidden.on(Surface.HOME))

    def _walk(self, reader_id: int, candidates: list[int], size: int, more_below: bool, trimmed: int | None,
              states: dict, hidden: frozenset[int]) -> Page[Card] | None:  # fmt: skip
        shown: list[Card] = []
        originals: set[int] = set()
        leaving = self._copies.leaving_now()
        considered = 0
        for tweet_id in candidates:
            if len(shown) == size:
                break
            if trimmed is not None and tweet_id < trimmed:
                return None
            considered += 1
            card = self._copies.card(tweet_id, states, False, leaving)
            if card is None:
                return None
            if card is not False and card.original_id not in originals and hidden.isdisjoint(card.authors):
                originals.add(card.original_id)
                shown.append(card)
        more = more_below or considered < len(candidates)
        if trimmed is not None and not considered < len(candidates):
            return None  # the page took the last id read: whether more follow, only storage knows
        return Page(shown, candidates[considered - 1] if more and considered else None)

