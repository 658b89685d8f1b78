"""Trending: counts hashtag uses from tweet events and serves the rankings the refresher publishes.

A use is dated by its tweet id (Snowflake ids carry their millisecond), so
an event handled late or twice counts in its own minute, once. Retweets
are not counted: a retweet repeats a use, it is no new one (replies are).
"""

import asyncio
from collections.abc import Callable

from services.common.kernel.events import Event, TweetCreated, TweetDeleted, UserDeleted
from services.common.kernel.hashtags import extract_hashtags
from services.common.kernel.ids import timestamp_ms
from services.common.kernel.pagination import Page, PageRequest
from services.trending.domain import MINUTE_MS, RETENTION_MINUTES, Ranking, Trend, Use, window_of
from services.trending.ports import TrendStore
from services.trending.refresher import Refresher

STALE_MS = 3 * MINUTE_MS  # a published ranking older than this is recomputed for the request
NOTED_FOR_MS = MINUTE_MS  # a replica notes a window asked for at most once a minute
WAIT_FOR_PEER_SECONDS = 2.0


class TrendingService:
    def __init__(self, store: TrendStore, refresher: Refresher, clock: Callable[[], int]):
        self._store, self.refresher, self._clock = store, refresher, clock
        self._noted: dict[int, int] = {}
        self._handlers = {TweetCreated: self._on_created, TweetDeleted: self._on_deleted, UserDeleted: self._on_user_deleted}

    async def handle(self, event: Event) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            await handler(event)

    async def _on_created(self, event: TweetCreated) -> None:
        if event.retweet_of_tweet_id:
            return
        tags = extract_hashtags(event.text)
        now_minute = self._clock() // MINUTE_MS
        minute = min(timestamp_ms(event.tweet_id) // MINUTE_MS, now_minute)
        if tags and minute > now_minute - RETENTION_MINUTES:
            await self._store.add(Use(event.tweet_id, event.author_id, minute, tuple(tags)), now_minute - RETENTION_MINUTES)

    async def _on_deleted(self, event: TweetDeleted) -> None:
        await self._store.remove_tweet(event.tweet_id, event.author_id)

    async def _on_user_deleted(self, event: UserDeleted) -> None:
        await self._store.remove_author(event.user_id)

    async def trending(self, window_minutes: int, page: PageRequest) -> tuple[Ranking, Page[Trend]]:
        """One page of the ranking over the window (0: the default); page.cursor is an offset into it."""
        window = window_of(window_minutes)
        ranking = await self._current(window)
        start = int(page.cursor or 0)
        shown = ranking.trends[start : start + page.size]
        more = start + page.size < len(ranking.trends)
        return ranking, Page(list(shown), start + page.size if more else None)

    async def _current(self, window: int) -> Ranking:
        now = self._clock()
        if now - self._noted.get(window, -NOTED_FOR_MS) >= NOTED_FOR_MS:
            await self._store.want_window(window, now)
            self._noted[window] = now
        ranking = await self._store.ranking(window)
        if ranking is not None and now - ranking.refreshed_ms < STALE_MS:
            return ranking
        if await self.refresher.refresh([window]):
            return await self._store.ranking(window)
        await asyncio.sleep(WAIT_FOR_PEER_SECONDS)  # another replica is refreshing: read what it publishes
        ranking = await self._store.ranking(window)
        if ranking is not None and self._clock() - ranking.refreshed_ms < STALE_MS:
            return ranking
        return await self.refresher.compute(window, self._clock(), keep=False)
