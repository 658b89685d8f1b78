"""The home timeline: pushed ids from the cache, merged with tweets pulled at read time.

Tweets of ordinary authors arrive in the cache by fan-out. The reader's
own tweets (read-your-writes) and those of followed celebrities are pulled
live and merged in. A cache miss rebuilds the timeline from storage. When
a read model holds everything a page needs, the page comes from it whole
(WarmPages), and the slow way below runs only for what it lacks.
"""

import asyncio
from collections.abc import Callable

from services.common.kernel.pagination import Page, PageRequest
from services.common.runtime.concurrency import concurrently
from services.common.telemetry import metrics
from services.common.visibility.pages import MAX_FETCHES, full_page
from services.common.visibility.rules import Surface
from services.timeline.domain import Card, KeepablePage, KeptResponse
from services.timeline.ports import FollowGraph, HiddenFrom, TimelineCache, TweetSource, WarmPages


class TimelineService:
    def __init__(self, cache: TimelineCache, graph: FollowGraph, tweets: TweetSource, capacity: int,
                 warm: WarmPages | None = None, *, hidden: HiddenFrom):
        self._cache = cache
        self._hidden = hidden
        self._warm = warm
        self._graph = graph
        self._tweets = tweets
        self._capacity = capacity
        self._rebuilds: dict[int, asyncio.Task] = {}

    async def home(self, reader_id: int, page: PageRequest) -> Page[Card]:
        """A page without the tweets hidden from the reader (services/common/visibility), full while more exist."""
        return await self._filled(reader_id, page, await self._home_part(reader_id, page))

    async def home_response(self, reader_id: int, page: PageRequest, encode: Callable[[Page[Card]], bytes]) -> bytes:
        """`home`'s page, encoded. A first page comes as the response kept when the reader last read it, while
        nothing it was read from has changed (WarmPages keeps it)."""
        first = await self._home_part(reader_id, page, keep=True)
        if isinstance(first, KeptResponse):
            return first.response
        response = encode(await self._filled(reader_id, page, first))
        if isinstance(first, KeepablePage):
            first.keep(response)
        return response

    async def _filled(self, reader_id: int, page: PageRequest, first: Page[Card]) -> Page[Card]:
        """The first part's page, with more parts after it while it is not full and more exist."""
        if len(first.items) >= page.size or first.next_cursor is None:
            return first  # the common case: one fetch, each original already shown once
        originals = {card.original_id for card in first.items}

        def first_showing(card: Card) -> bool:  # each original once across the page's fetches too
            new = card.original_id not in originals
            originals.add(card.original_id)
            return new

        rest = await full_page(lambda part: self._home_part(reader_id, part), PageRequest(page.size - len(first.items), first.next_cursor),
                               first_showing, fetches=MAX_FETCHES - 1)  # fmt: skip
        return Page([*first.items, *rest.items], rest.next_cursor)

    async def _home_part(self, reader_id: int, page: PageRequest, keep: bool = False) -> Page[Card] | KeptResponse:
        if self._warm is not None:
            warm = await self._warm.page(reader_id, page, keep)  # hides what the kept copy of the hidden accounts says
            metrics.looked_up("home_page", warm is not None, warm is None)
            if keep and warm is not None and page.cursor is None:
                metrics.looked_up("kept_home_page", isinstance(warm, KeptResponse), isinstance(warm, KeepablePage))
            if warm is not None:
                return warm
        hidden = await self._hidden.hidden_from(reader_id)  # a kept copy: cheaper in turn than as a task beside the next
        celebrities = await self._graph.celebrities_followed_by(reader_id)
        candidates, more_below = await self._candidates(reader_id, celebrities, page)
        return await self._hydrated_page(reader_id, candidates, page.size, more_below, hidden.on(Surface.HOME))

    async def cached_ids(self, reader_id: int, before: int | None = None, limit: int | None = None) -> list[int]:
        """The reader's pushed ids (below `before`, at most `limit`); a miss rebuilds them from storage,
        every followee's recent tweets (a celebrity's too, so nothing is missing should they stop being one)."""
        if reader_id not in self._rebuilds:
            ids = await self._cache.read(reader_id, before, limit)
            metrics.looked_up("timeline", ids is not None, ids is None)
            if ids is not None:
                return ids
            if reader_id not in self._rebuilds:  # another reader may have started it meanwhile
                self._rebuilds[reader_id] = asyncio.create_task(self._rebuild(reader_id))
        ids = await asyncio.shield(self._rebuilds[reader_id])
        return [i for i in ids if before is None or i < before][:limit]

    async def _candidates(self, reader_id: int, celebrities: list[int], page: PageRequest) -> tuple[list[int], bool]:
        """Ids below the cursor, newest first, and whether more may lie below the last of them: a window
        of the cached (pushed) ids, and of the reader's own and followed celebrities' tweets pulled now."""
        window = page.size * 2
        lanes = await concurrently(
            self.cached_ids(reader_id, page.cursor, window), self._tweets.recent_ids([reader_id, *celebrities], page.cursor, window)
        )
        merged = sorted({i for lane in lanes for i in lane}, reverse=True)
        floors = [lane[-1] for lane in lanes if len(lane) >= window]
        if not floors:
            return merged, False
        floor = max(floors)  # below it, some lane was not read: stop there
        return [i for i in merged if i >= floor], True

    async def _hydrated_page(self, reader_id: int, candidates: list[int], size: int, more_below: bool, hidden: frozenset[int]) -> Page[Card]:
        """Hydrates candidates in order until the page is full, showing each original once, none by a hidden author."""
        shown: list[Card] = []
        originals: set[int] = set()
        position = 0  # candidates[:position] have been considered
        while len(shown) < size and position < len(candidates):
            batch = candidates[position : position + size - len(shown) + size // 4 + 1]
            visible = {card.tweet_id: card for card in await self._tweets.hydrate(reader_id, batch)}
            for tweet_id in batch:
                position += 1
                card = visible.get(tweet_id)
                if card is not None and card.original_id not in originals and hidden.isdisjoint(card.authors):
                    originals.add(card.original_id)
                    shown.append(card)
                    if len(shown) == size:
                        break
        more = more_below or position < len(candidates)
        return Page(shown, candidates[position - 1] if more and position else None)

    async def _forget_unfollowed(self, reader_id: int, authors: set[int]) -> None:
        """An unfollow handled while the rebuild read storage found nothing to remove: remove it now."""
        gone = authors - set(await self._graph.following_ids(reader_id))
        for author in gone:
            await self._cache.remove([reader_id], await self._tweets.ids_ever_posted_by(author, self._capacity))

    async def _rebuild(self, reader_id: int) -> list[int]:
        metrics.rebuilt()
        try:
            await self._cache.start(reader_id)
            followees = await self._graph.following_ids(reader_id)
            ids = await self._tweets.recent_ids(followees, None, self._capacity)
            await self._cache.add([reader_id], ids)
            await self._forget_unfollowed(reader_id, set(followees))
            await self._cache.complete(reader_id)
            return await self._cache.read(reader_id) or []
        except BaseException:
            await self._cache.drop(reader_id)
            raise
        finally:
            self._rebuilds.pop(reader_id, None)
