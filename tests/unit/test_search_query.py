"""The search query language and what the index is given, without I/O."""

from datetime import date

import pytest

from services.common.kernel.errors import InvalidArgument
from services.search.domain import IndexedTweet, Unindexable, hashtags_in, mentions_in
from services.search.query import SearchQuery, Term, parse


def test_every_kind_of_term_parses():
    query = parse('Running "quick brown" #Chirp @Bob_1 from:@Alice -sad -"bad day" -#meh since:2026-01-02 until:2026-02-01')
    assert query == SearchQuery(
        required=(Term("word", "Running"), Term("phrase", "quick brown"), Term("hashtag", "chirp"), Term("mention", "bob_1")),
        excluded=(Term("word", "sad"), Term("phrase", "bad day"), Term("hashtag", "meh")),
        from_handles=("alice",),
        since=date(2026, 1, 2),
        until=date(2026, 2, 1),
    )


def test_a_phrase_may_touch_its_neighbours_and_unknown_operators_are_words():
    assert parse('a"b c"d').required == (Term("word", "a"), Term("phrase", "b c"), Term("word", "d"))
    assert parse("http://x.io").required == (Term("word", "http://x.io"),)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('say "hi', "phrase opened at position 5 is never closed"),
        ('""', "empty phrase at position 1"),
        ("", "query is empty"),
        ("x" * 513, "at most 512"),
        ("from:", "from: at position 1 names no handle"),
        ("from:toolonghandle_xyz", "a handle is 1 to 15"),
        ("since:2026-1-1", "is not a date"),
        ("until:2026-02-30", "is not a date"),
        ("a since:2026-02-01 until:2026-01-01", "is not before"),
        ("-a -b", "only excludes"),
        ("a -", "'-' at position 3 excludes nothing"),
        ("-from:bob a", "can't exclude from"),
        ("@", "is not a mention"),
        ("#_1", "'#_1' at position 1"),
    ],
)
def test_a_malformed_query_says_what_and_where(text, fragment):
    with pytest.raises(InvalidArgument) as caught:
        parse(text)
    assert fragment in caught.value.message and caught.value.field == "query"


def test_hashtags_and_mentions_are_taken_from_text_case_folded():
    text = "#Go #go team@example.com @Ann_1 &#39; #1 #a1 @toolonghandle_xyz"
    assert hashtags_in(text) == ("go", "a1")
    assert mentions_in(text) == ("ann_1",)


def test_a_tweet_the_index_cannot_hold_is_refused_before_the_writer():
    with pytest.raises(Unindexable):
        IndexedTweet.of(1, 1, "#" + "x" * 70_000)
    assert IndexedTweet.of(1, 1, "fine #ok").hashtags == ("ok",)


@pytest.mark.parametrize("text", ["#हिंदी", "#می\u200cخواهم", "#cafe\u0301", "#Straße"])
def test_a_hashtag_query_finds_what_indexing_extracted_from_the_same_text(text):
    query = parse(text)
    assert query.required == tuple(Term("hashtag", tag) for tag in hashtags_in(text))
