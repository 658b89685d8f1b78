"""One contract for every implementation of search's SearchIndex port (today: tantivy on local disk)."""

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from services.common.kernel.ids import CHIRP_EPOCH_MS, compose
from services.search.adapters.tantivy_index import COMPLETE, IndexLocked, TantivyIndex
from services.search.domain import IndexedTweet, Order
from services.search.ports import RemoveAuthor, RemoveTweet, SearchIndex
from services.search.query import parse

DAY_MS = 86_400_000
IMPLEMENTATIONS: dict[str, Callable[[Path], SearchIndex]] = {"tantivy": TantivyIndex}


@pytest.fixture(params=list(IMPLEMENTATIONS))
def open_index(request, tmp_path):
    opened: list[SearchIndex] = []

    def open_one() -> SearchIndex:
        index = IMPLEMENTATIONS[request.param](tmp_path / "index")
        opened.append(index)
        return index

    yield open_one
    for index in opened:
        try:
            index.close()
        except Exception:
            pass


def tweet(day: int, author: int, text: str) -> IndexedTweet:
    """A tweet posted `day` days after 2020-01-01."""
    return IndexedTweet.of(compose(CHIRP_EPOCH_MS + day * DAY_MS, 0, 0), author, text)


async def found(index: SearchIndex, query: str, order: Order = Order.RECENCY, cursor: int | None = None, limit: int = 50, authors=()) -> list[int]:
    parsed = parse(query)
    return await index.search(parsed.resolved(list(authors)) if authors else parsed, order, cursor, limit)


async def test_each_term_kind_matches_and_recency_orders_newest_first(open_index):
    index = open_index()
    a, b, c = tweet(1, 7, "Running late #Monday @Bob"), tweet(2, 8, "he runs #monday"), tweet(3, 7, "a quick brown fox")
    await index.write([a, b, c])
    assert await found(index, "run") == [b.tweet_id, a.tweet_id]
    assert await found(index, "#MONDAY -late") == [b.tweet_id]
    assert await found(index, "@bob") == [a.tweet_id]
    assert await found(index, '"brown fox"') == [c.tweet_id] and await found(index, '"fox brown"') == []
    assert await found(index, "run", authors=[7]) == [a.tweet_id]
    assert await found(index, "since:2020-01-03") == [c.tweet_id, b.tweet_id]
    assert await found(index, "since:2020-01-01 until:2020-01-04") == [b.tweet_id, a.tweet_id]
    assert index.count() == 3


async def test_cursors_page_by_id_below_or_by_offset(open_index):
    index = open_index()
    tweets = [tweet(day, 1, "page me") for day in range(1, 8)]
    await index.write(tweets)
    newest_first = [t.tweet_id for t in reversed(tweets)]
    assert await found(index, "page", limit=3) == newest_first[:3]
    assert await found(index, "page", cursor=newest_first[2], limit=3) == newest_first[3:6]
    best = await found(index, "page", Order.RELEVANCE, limit=50)
    assert sorted(best) == sorted(newest_first)
    assert await found(index, "page", Order.RELEVANCE, cursor=4, limit=50) == best[4:]


async def test_writing_a_tweet_again_keeps_one_copy_and_removals_forget(open_index):
    index = open_index()
    a, b, c = tweet(1, 7, "same words"), tweet(2, 8, "same words"), tweet(3, 7, "same words")
    await index.write([a, b, c, a])
    await index.write([a])
    assert await found(index, "same") == [c.tweet_id, b.tweet_id, a.tweet_id] and index.count() == 3
    await index.write([RemoveTweet(b.tweet_id)])
    assert await found(index, "same") == [c.tweet_id, a.tweet_id]
    await index.write([RemoveAuthor(7)])
    assert await found(index, "same") == [] and index.count() == 0


async def test_it_survives_a_reopen_and_holds_the_directory_alone(open_index):
    index = open_index()
    assert not index.complete
    await index.write([tweet(1, 1, "kept on disk")])
    await index.mark_complete(True)
    with pytest.raises(IndexLocked):
        open_index()
    index.close()
    again = open_index()
    assert again.complete and await found(again, "disk") == [tweet(1, 1, "").tweet_id]


async def test_a_damaged_directory_starts_afresh_and_incomplete(open_index, tmp_path):
    index = open_index()
    await index.write([tweet(1, 1, "soon lost")])
    await index.mark_complete(True)
    index.close()
    (tmp_path / "index" / "meta.json").write_text("not json")
    again = open_index()
    assert not again.complete and again.count() == 0
    assert not (tmp_path / "index" / COMPLETE).exists()


def test_dates_outside_what_the_index_holds_bound_nothing_more():
    assert parse("x until:2999-01-01").until == date(2999, 1, 1)


async def test_newest_first_reads_time_slices_without_losing_or_repeating_a_tweet(open_index, monkeypatch):
    from services.search.adapters import tantivy_index

    monkeypatch.setattr(tantivy_index, "FIRST_SLICE_TWEETS", 2)  # many small slices, even on a small index
    index = open_index()
    tweets = [tweet(day, 1, "rare word" if day in (1, 2, 150, 299) else "common word") for day in range(1, 300)]
    await index.write(tweets)
    rare = [t.tweet_id for t in reversed(tweets) if "rare" in t.text]
    everything = [t.tweet_id for t in reversed(tweets)]
    assert await found(index, "rare") == rare
    assert await found(index, "rare", cursor=rare[1], limit=2) == rare[2:]
    assert await found(index, "word", limit=300) == everything
    assert await found(index, "word", cursor=everything[9], limit=5) == everything[10:15]
