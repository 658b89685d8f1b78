"""Rebuilding an index from the system of record: every stored tweet with text, read in id order.

Runs when a replica's index is empty, damaged, or was left mid-rebuild
(no COMPLETE mark). Events keep being indexed meanwhile; putting a tweet
twice is harmless, and the removals they bring are applied again at the
end, so a tweet read just before its delete is not put back for good. Progress goes to the log and to the status the
replica reports (catching up, tweets scanned); the index is marked
complete only once the last page is committed.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.common.runtime.concurrency import stop_if_cancelled
from services.search.domain import IndexedTweet, IndexState, IndexStatus, Unindexable
from services.search.indexing import Indexer
from services.search.ports import Change, SearchIndex, StoredTweet, TweetArchive

log = logging.getLogger("chirp.search.rebuild")
PAGE = 2_000
PROGRESS_SECONDS = 2.0
RETRY_SECONDS = 1.0
T = TypeVar("T")


async def rebuild(index: SearchIndex, archive: TweetArchive, indexer: Indexer, status: IndexStatus, removals: list[Change]) -> None:
    """`removals`: the removals events asked for while it ran (the caller appends them), applied again at the end."""
    status.state, status.rebuild_scanned = IndexState.CATCHING_UP, 0
    log.info("search index: rebuilding from storage (the index was empty, damaged or unfinished)")
    started = last_log = time.monotonic()
    after = 0
    while True:
        tweets = await _retrying("read storage", lambda: archive.scan(after, PAGE))
        indexable = _indexable(tweets, status)
        await _retrying("commit", lambda: indexer.submit(indexable))
        status.rebuild_scanned += len(tweets)
        if time.monotonic() - last_log >= PROGRESS_SECONDS:
            log.info("search index: rebuilding, %s tweets read from storage so far", status.rebuild_scanned)
            last_log = time.monotonic()
        if len(tweets) < PAGE:
            break
        after = tweets[-1].tweet_id
    await _retrying("commit", lambda: indexer.submit(list(removals)))
    await _retrying("mark the index complete", lambda: index.mark_complete(True))
    status.state = IndexState.READY
    log.info("search index: rebuilt, %s tweets in %.1fs", status.rebuild_scanned, time.monotonic() - started)


async def _retrying(what: str, step: Callable[[], Awaitable[T]]) -> T:
    """A step of the rebuild, again until it succeeds: storage (or the Tweet service) away, or a commit that
    failed, must not leave the replica catching up for ever."""
    while True:
        try:
            return await step()
        except Exception as error:
            stop_if_cancelled(error)
            log.warning("search index: rebuild could not %s (%s); retrying in %ss", what, error, RETRY_SECONDS)
            await asyncio.sleep(RETRY_SECONDS)


def _indexable(tweets: list[StoredTweet], status: IndexStatus) -> list[IndexedTweet]:
    kept = []
    for tweet in tweets:
        try:
            kept.append(IndexedTweet.of(tweet.tweet_id, tweet.author_id, tweet.text))
        except Unindexable as error:
            if tweet.tweet_id not in status.set_aside:
                log.error("search index: set aside: %s", error)
                status.set_aside.add(tweet.tweet_id)
    return kept
