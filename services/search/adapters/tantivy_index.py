"""The search index on local disk, in tantivy: the owner of its directory.

One IndexWriter per directory, held for the life of the process (a
second one fails with LockBusy, in this process or another). Changes are
applied and committed in batches, on a worker thread, one batch at a
time; after each commit the reader is reloaded and a new searcher taken
(reloading without taking one grows memory). A directory that holds no
index, or one that can't be opened, is started afresh, and a file
`COMPLETE` marks an index that a rebuild from storage finished on.
"""

import asyncio
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import tantivy

from services.search.adapters.tantivy_schema import AUTHOR, ID, QueryBuilder, document, schema
from services.search.domain import IndexedTweet, Order
from services.search.ports import Change, RemoveAuthor, RemoveTweet
from services.search.query import SearchQuery

log = logging.getLogger("chirp.search.index")
COMPLETE = "COMPLETE"
WRITER_HEAP_BYTES = 64_000_000
FIRST_SLICE_TWEETS = 4_096  # the newest-first search reads the newest slice of about this many tweets first...
SLICE_GROWTH = 16  # ...then slices this many times older, until the page is full


class IndexLocked(RuntimeError):
    """Another writer holds the directory: two processes (or replicas) were given the same one."""


class TantivyIndex:
    def __init__(self, directory: Path, threads: int = 1):
        self.directory = directory
        self._index, self.complete = _open(directory)
        try:
            self._writer = self._index.writer(WRITER_HEAP_BYTES, threads)
        except ValueError as error:
            raise IndexLocked(f"the search index at {directory} is held by another writer ({error}); give each replica its own directory") from None
        self._queries = QueryBuilder(self._index.schema)
        self._searcher = self._index.searcher()
        self._lock = asyncio.Lock()
        self._ids = _id_bounds(self._searcher)  # the smallest and largest tweet ids ever written (deletes aside)

    async def write(self, changes: Sequence[Change]) -> None:
        async with self._lock:  # the writer is used by one thread at a time
            await asyncio.to_thread(self._apply_and_commit, list(changes))

    async def search(self, query: SearchQuery, order: Order, cursor: int | None, limit: int) -> list[int]:
        return await asyncio.to_thread(self.search_now, query, order, cursor, limit)

    def search_now(self, query: SearchQuery, order: Order, cursor: int | None, limit: int) -> list[int]:
        searcher = self._searcher
        if order is Order.RECENCY:
            return self._newest(searcher, query, cursor, limit)
        hits = searcher.search(self._queries.build(query, None), limit, count=False, offset=cursor or 0).hits
        return searcher.fast_field_values(ID, [address for _, address in hits]) if hits else []

    def _newest(self, searcher: tantivy.Searcher, query: SearchQuery, below: int | None, limit: int) -> list[int]:
        """Newest first, in time slices (as Earlybird does): a broad query fills its page from the newest slice
        without ordering every match, and a narrow one reaches the oldest tweets in a few, ever larger, slices."""
        lowest, highest = self._ids
        if highest == 0:
            return []
        top = min(below if below is not None else highest + 1, highest + 1)
        span = max(1, (highest - lowest) // max(1, searcher.num_docs)) * FIRST_SLICE_TWEETS
        found: list[int] = []
        while True:
            start = top - span if top - span > lowest else None
            hits = searcher.search(self._queries.build(query, top, start), limit - len(found), count=False, order_by_field=ID).hits
            found += [tweet_id for tweet_id, _ in hits]
            if len(found) >= limit or start is None:
                return found
            top, span = start, span * SLICE_GROWTH

    async def mark_complete(self, complete: bool) -> None:
        marker = self.directory / COMPLETE
        if complete:
            await asyncio.to_thread(_write_synced, marker)
        else:
            marker.unlink(missing_ok=True)
        self.complete = complete

    def count(self) -> int:
        return self._searcher.num_docs

    def close(self) -> None:
        self._writer.wait_merging_threads()  # releases the writer and its lock
        self._writer = None

    def _delete(self, field: str, value: int) -> None:
        # by query: tantivy-py's delete by term misses u64 fields (it builds a term of another type)
        self._writer.delete_documents_by_query(tantivy.Query.term_query(self._index.schema, field, value))

    def _apply_and_commit(self, changes: list[Change]) -> None:
        for change in changes:
            if isinstance(change, IndexedTweet):
                self._delete(ID, change.tweet_id)  # re-indexing a tweet replaces it
                self._writer.add_document(document(change))
            elif isinstance(change, RemoveTweet):
                self._delete(ID, change.tweet_id)
            elif isinstance(change, RemoveAuthor):
                self._delete(AUTHOR, change.author_id)
        self._writer.commit()
        written = [change.tweet_id for change in changes if isinstance(change, IndexedTweet)]
        if written:
            self._ids = (min(self._ids[0] or min(written), min(written)), max(self._ids[1], max(written)))
        self._index.reload()
        self._searcher = self._index.searcher()


def _open(directory: Path) -> tuple[tantivy.Index, bool]:
    directory.mkdir(parents=True, exist_ok=True)
    try:
        if tantivy.Index.exists(str(directory)):
            index = tantivy.Index.open(str(directory))
            index.searcher()  # reads every segment's meta: a damaged index fails here
            return index, (directory / COMPLETE).exists()
    except (OSError, ValueError) as error:
        log.warning("search index at %s can't be opened (%s): starting afresh, to rebuild from storage", directory, error)
        shutil.rmtree(directory)
        directory.mkdir(parents=True)
    (directory / COMPLETE).unlink(missing_ok=True)
    return tantivy.Index(schema(), path=str(directory), reuse=False), False


def _id_bounds(searcher: tantivy.Searcher) -> tuple[int, int]:
    if not searcher.num_docs:
        return 0, 0
    every = tantivy.Query.all_query()
    (lowest, _), = searcher.search(every, 1, count=False, order_by_field=ID, order=tantivy.Order.Asc).hits
    (highest, _), = searcher.search(every, 1, count=False, order_by_field=ID).hits
    return lowest, highest


def _write_synced(path: Path) -> None:
    with open(path, "w") as marker:
        marker.write("rebuilt from storage\n")
        marker.flush()
        os.fsync(marker.fileno())
