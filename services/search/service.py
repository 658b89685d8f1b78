"""Search use cases: answering queries, a page at a time, and keeping the index current from events.

Results are hydrated like a home timeline, and hydration leaves out
deleted tweets and deleted accounts' tweets from the moment the delete
commits; the index forgets them asynchronously, from their events. Tweets
by accounts blocked either way with the viewer, or retweeting them, are left
out as services/common/visibility decides for search. A page thinned by
hydration or visibility is filled up as every filtered list is (visibility/pages.py:
full_page), querying again past what was read,
at most that module's MAX_FETCHES queries a page.
"""

import asyncio
import logging
from collections.abc import Sequence

from services.common.kernel.events import Event
from services.common.kernel.pagination import Page, PageRequest
from services.common.runtime.concurrency import cancel_and_wait
from services.common.visibility.pages import full_page
from services.common.visibility.rules import HiddenAccounts, Surface
from services.search.domain import Found, IndexState, IndexStatus, Order, Unindexable
from services.search.indexing import Indexer, change_for
from services.search.ports import Change, HiddenFrom, RemoveAuthor, RemoveTweet, SearchIndex, TweetArchive, TweetCards, UserHandles
from services.search.query import SearchQuery, parse
from services.search.rebuild import rebuild

log = logging.getLogger("chirp.search")


class SearchService:
    def __init__(self, index: SearchIndex, cards: TweetCards, handles: UserHandles, archive: TweetArchive, hidden: HiddenFrom,
                 commit_seconds: float = 0.2):
        self._index, self._cards, self._handles, self._archive, self._hidden = index, cards, handles, archive, hidden
        self._indexer = Indexer(index, commit_seconds)
        self._status = IndexStatus(state=IndexState.READY if index.complete else IndexState.CATCHING_UP)
        self._rebuild: asyncio.Task | None = None
        self._removals: list[Change] = []  # while a rebuild runs: applied again once it is done

    async def start(self) -> None:
        self._indexer.start()
        if not self._index.complete:
            task = rebuild(self._index, self._archive, self._indexer, self._status, self._removals)
            self._rebuild = asyncio.create_task(task, name="search-rebuild")

    async def close(self) -> None:
        if self._rebuild is not None:
            await cancel_and_wait(self._rebuild)
        await self._indexer.stop()
        self._index.close()

    def status(self) -> IndexStatus:
        self._status.indexed = self._index.count()
        return self._status

    async def ready(self) -> None:
        """Raises while the index is catching up, so health can report NOT_SERVING."""
        if self._status.state is not IndexState.READY:
            raise RuntimeError(f"the search index is catching up: {self._status.rebuild_scanned} tweets read from storage")

    async def search(self, viewer_id: int | None, text: str, order: Order, page: PageRequest) -> Page[Found]:
        query = parse(text)
        if query.from_handles:
            authors = [await self._handles.user_id(handle) for handle in query.from_handles]
            if None in authors:
                return Page([], None)  # no such account: nothing it could have posted
            query = query.resolved(authors)
        hidden = await self._hidden.hidden_from(viewer_id)
        if query.author_ids and all(author in hidden.on(Surface.SEARCH) for author in query.author_ids):
            return Page([], None)  # from: only accounts hidden from the viewer
        return await self._page(viewer_id, query, order, page.size, page.cursor, hidden)

    async def handle(self, event: Event) -> None:
        """One event (RabbitMQ): returns once its change is committed; an unindexable tweet raises, to be dead-lettered."""
        try:
            change = change_for(event)
        except Unindexable as error:
            self._count_aside(event, error)
            raise
        if change is not None:
            self._remember([change])
            await self._indexer.submit([change])

    async def handle_batch(self, events: Sequence[Event]) -> list[tuple[int, str]]:
        """A batch of events (the embedded outbox), committed together; returns those set aside, by place."""
        changes, aside = [], []
        for place, event in enumerate(events):
            try:
                change = change_for(event)
            except Unindexable as error:
                aside.append((place, str(error)))
                self._count_aside(event, error)
                continue
            if change is not None:
                changes.append(change)
        if changes:
            self._remember(changes)
            await self._indexer.submit(changes)
        return aside

    def _remember(self, changes: list[Change]) -> None:
        if self._status.state is IndexState.CATCHING_UP:
            self._removals += [c for c in changes if isinstance(c, RemoveTweet | RemoveAuthor)]

    def _count_aside(self, event: Event, error: Unindexable) -> None:
        tweet_id = getattr(event, "tweet_id", 0)
        if tweet_id not in self._status.set_aside:  # a redelivery, or a rebuild, of the same tweet counts once
            log.error("search index: set aside: %s", error)
            self._status.set_aside.add(tweet_id)

    async def _page(
        self, viewer_id: int | None, query: SearchQuery, order: Order, size: int, cursor: int | None, hidden: HiddenAccounts
    ) -> Page[Found]:
        async def fetch(part: PageRequest) -> Page[Found]:
            """The next part.size matches after the cursor, hydrated (one more asked tells whether more exist)."""
            ids = await self._index.search(query, order, part.cursor, part.size + 1)
            read, more = ids[: part.size], len(ids) > part.size
            after = (read[-1] if order is Order.RECENCY else (part.cursor or 0) + len(read)) if more else None
            return Page(await self._cards.hydrate(viewer_id, read), after)

        return await full_page(fetch, PageRequest(size, cursor), lambda found: hidden.shows(Surface.SEARCH, found.authors))
