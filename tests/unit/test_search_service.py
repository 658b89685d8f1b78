"""Search's use cases over fakes: catching up reported while a rebuild runs, pages refilled past hidden tweets."""

import asyncio

from services.common.kernel.pagination import PageRequest
from services.common.visibility.rules import HiddenAccounts
from services.search.domain import Found, IndexState, Order
from services.search.ports import StoredTweet
from services.search.service import SearchService


class FakeIndex:
    def __init__(self, complete: bool):
        self.complete, self.ids = complete, set()

    async def write(self, changes) -> None:
        self.ids.update(c.tweet_id for c in changes)

    async def search(self, query, order, cursor, limit) -> list[int]:
        return sorted((i for i in self.ids if cursor is None or i < cursor), reverse=True)[:limit]

    async def mark_complete(self, complete: bool) -> None:
        self.complete = complete

    def count(self) -> int:
        return len(self.ids)

    def close(self) -> None:
        pass


class Cards:
    def __init__(self, hidden: set[int]):
        self.hidden = hidden

    async def hydrate(self, viewer_id, tweet_ids):
        return [Found(i, f"tweet {i}".encode(), (author_of(i),)) for i in tweet_ids if i not in self.hidden]


def author_of(tweet_id: int) -> int:
    return 100 + tweet_id % 3


class Hidden:
    def __init__(self, hidden: dict[int, HiddenAccounts] | None = None):
        self.hidden = hidden or {}

    async def hidden_from(self, viewer_id):
        return self.hidden.get(viewer_id, HiddenAccounts())


class SlowArchive:
    def __init__(self, tweets: list[StoredTweet]):
        self.tweets, self.release = tweets, asyncio.Event()

    async def scan(self, after: int, limit: int) -> list[StoredTweet]:
        await self.release.wait()
        return [t for t in self.tweets if t.tweet_id > after][:limit]


class NoHandles:
    async def user_id(self, handle):
        return None


async def test_a_rebuild_reports_catching_up_until_it_is_done():
    archive = SlowArchive([StoredTweet(i, 1, f"word {i}") for i in range(1, 6)])
    index = FakeIndex(complete=False)
    search = SearchService(index, Cards(set()), NoHandles(), archive, Hidden(), commit_seconds=0.01)
    await search.start()
    try:
        assert search.status().state is IndexState.CATCHING_UP
        try:
            await search.ready()
            raise AssertionError("ready() must raise while catching up")
        except RuntimeError as error:
            assert "catching up" in str(error)
        archive.release.set()
        async with asyncio.timeout(5):
            while search.status().state is not IndexState.READY:
                await asyncio.sleep(0.01)
        assert index.complete and search.status().indexed == 5 and search.status().rebuild_scanned == 5
        await search.ready()
    finally:
        await search.close()


async def test_a_page_thinned_by_hydration_is_filled_from_further_down():
    index = FakeIndex(complete=True)
    index.ids = set(range(1, 21))
    search = SearchService(index, Cards(hidden={20, 19, 18, 16, 15, 14}), NoHandles(), SlowArchive([]), Hidden())
    page = await search.search(None, "word", Order.RECENCY, PageRequest(5))
    assert [f.tweet_id for f in page.items] == [17, 13, 12, 11, 10] and page.next_cursor == 10
    rest = await search.search(None, "word", Order.RECENCY, PageRequest(50, page.next_cursor))
    assert [f.tweet_id for f in rest.items] == list(range(9, 0, -1)) and rest.next_cursor is None
    assert (await search.search(None, "word from:nobody", Order.RECENCY, PageRequest(5))).items == []


async def test_blocked_authors_are_left_out_for_their_viewer_only_and_pages_come_full():
    index = FakeIndex(complete=True)
    index.ids = set(range(1, 31))
    viewer, blocked, muted = 7, author_of(1), author_of(2)  # each author wrote every third tweet
    hidden = Hidden({viewer: HiddenAccounts(blocked=frozenset({blocked}), muted=frozenset({muted}))})
    search = SearchService(index, Cards(set()), NoHandles(), SlowArchive([]), hidden)
    page = await search.search(viewer, "word", Order.RECENCY, PageRequest(6))
    assert [f.tweet_id for f in page.items] == [30, 29, 27, 26, 24, 23]  # muting hides nothing from search
    assert page.next_cursor == 23
    everything = await search.search(viewer, "word", Order.RECENCY, PageRequest(100))
    assert len(everything.items) == 20 and all(author_of(f.tweet_id) != blocked for f in everything.items)
    assert len((await search.search(None, "word", Order.RECENCY, PageRequest(100))).items) == 30


async def test_a_tweet_the_index_cannot_hold_is_set_aside_and_the_rest_indexed():
    from services.common.kernel.events import TweetCreated, TweetDeleted
    from services.search.domain import Unindexable

    index = FakeIndex(complete=True)
    search = SearchService(index, Cards(set()), NoHandles(), SlowArchive([]), Hidden(), commit_seconds=0.01)
    await search.start()
    try:
        huge = TweetCreated(2, 1, "#" + "x" * 70_000)
        aside = await search.handle_batch([TweetCreated(1, 1, "fine"), huge, TweetDeleted(9, 1), TweetCreated(3, 1, "also fine")])
        assert [place for place, _ in aside] == [1] and index.ids == {1, 3, 9}
        try:
            await search.handle(huge)  # on RabbitMQ: raised, so the consumer dead-letters it after its retries
            raise AssertionError("an unindexable tweet must raise")
        except Unindexable:
            pass
        assert search.status().dead_letters == 1  # the same tweet, counted once
    finally:
        await search.close()


async def test_a_delete_during_a_rebuild_is_applied_again_after_the_scan():
    from services.common.kernel.events import TweetDeleted

    class RemovingIndex(FakeIndex):
        async def write(self, changes) -> None:
            for change in changes:
                if type(change).__name__ == "RemoveTweet":
                    self.ids.discard(change.tweet_id)
                else:
                    self.ids.add(change.tweet_id)

    archive = SlowArchive([StoredTweet(i, 1, f"word {i}") for i in range(1, 4)])
    index = RemovingIndex(complete=False)
    search = SearchService(index, Cards(set()), NoHandles(), archive, Hidden(), commit_seconds=0.01)
    await search.start()
    try:
        await search.handle(TweetDeleted(2, 1))  # committed before the scan puts tweet 2 back
        archive.release.set()
        async with asyncio.timeout(5):
            while search.status().state is not IndexState.READY:
                await asyncio.sleep(0.01)
        assert index.ids == {1, 3}
    finally:
        await search.close()


async def test_a_rebuild_whose_commit_fails_retries_it_and_still_finishes(monkeypatch):
    monkeypatch.setattr("services.search.rebuild.RETRY_SECONDS", 0.01)

    class FailingOnce(FakeIndex):
        failed = False

        async def write(self, changes) -> None:
            if changes and not self.failed:
                self.failed = True
                raise OSError("disk full")
            await super().write(changes)

    archive = SlowArchive([StoredTweet(i, 1, f"word {i}") for i in range(1, 6)])
    archive.release.set()
    index = FailingOnce(complete=False)
    search = SearchService(index, Cards(set()), NoHandles(), archive, Hidden(), commit_seconds=0.01)
    await search.start()
    try:
        async with asyncio.timeout(5):
            while search.status().state is not IndexState.READY:
                await asyncio.sleep(0.01)
        assert index.failed and index.complete and index.ids == {1, 2, 3, 4, 5}
    finally:
        await search.close()
