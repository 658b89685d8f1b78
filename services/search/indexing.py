"""Keeping the index current: events become index changes, committed in batches, never one by one.

Changes wait for the next commit, made every `commit_seconds` (about
200 ms) or at once when `max_batch` changes are waiting; a caller returns
only once its changes are committed, so an event is acknowledged only
after its change is durable. A tweet the index can't hold raises
Unindexable before it reaches the writer, and the rest go on.
"""

import asyncio
import logging
from collections.abc import Sequence

from services.common.kernel.events import Event, TweetCreated, TweetDeleted, UserDeleted
from services.common.runtime.concurrency import cancel_and_wait
from services.common.telemetry import metrics
from services.search.domain import IndexedTweet
from services.search.ports import Change, RemoveAuthor, RemoveTweet, SearchIndex

log = logging.getLogger("chirp.search.indexing")


def change_for(event: Event) -> Change | None:
    """The index change an event asks for; None when it asks for none (retweets carry no text)."""
    if isinstance(event, TweetCreated):
        return None if event.retweet_of_tweet_id or not event.text else IndexedTweet.of(event.tweet_id, event.author_id, event.text)
    if isinstance(event, TweetDeleted):
        return RemoveTweet(event.tweet_id)
    if isinstance(event, UserDeleted):
        return RemoveAuthor(event.user_id)
    return None


class Indexer:
    def __init__(self, index: SearchIndex, commit_seconds: float, max_batch: int = 5_000):
        self._index, self._commit_seconds, self._max_batch = index, commit_seconds, max_batch
        self._waiting: list[tuple[Sequence[Change], asyncio.Future]] = []
        self._count = 0
        self._has_work, self._full = asyncio.Event(), asyncio.Event()
        self._task: asyncio.Task | None = None
        self._committing: asyncio.Future | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="search-indexer")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
        if self._committing is not None:  # a commit under way finishes: the writer is never left mid-commit
            await asyncio.gather(self._committing, return_exceptions=True)
        if self._waiting:
            await self._commit()

    async def submit(self, changes: Sequence[Change]) -> None:
        """Returns once the changes are committed; raises what the commit raised."""
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((changes, done))
        self._count += len(changes)
        self._has_work.set()
        if self._count >= self._max_batch:
            self._full.set()
        await asyncio.shield(done)

    async def _run(self) -> None:
        while True:
            await self._has_work.wait()
            try:
                await asyncio.wait_for(self._full.wait(), self._commit_seconds)
            except TimeoutError:
                pass
            self._committing = asyncio.ensure_future(self._commit())
            await asyncio.shield(self._committing)

    async def _commit(self) -> None:
        batch, self._waiting, self._count = self._waiting, [], 0
        self._has_work.clear()
        self._full.clear()
        try:
            await self._index.write([change for changes, _ in batch for change in changes])
        except Exception as error:
            log.exception("search index: a commit of %s changes failed", sum(len(c) for c, _ in batch))
            _settle(batch, error)
        else:
            _settle(batch, None)
            metrics.indexed([c.tweet_id for changes, _ in batch for c in changes if isinstance(c, IndexedTweet)])


def _settle(batch: list[tuple[Sequence[Change], asyncio.Future]], error: Exception | None) -> None:
    for _, done in batch:
        if not done.done():
            done.set_exception(error) if error is not None else done.set_result(None)
