"""The index's layout (fields, analysis) and how a parsed query becomes a tantivy query.

Fields: `id` (u64, fast: recency order and cursors), `text` (en_stem: lower
case, English stems, positions for phrases), `author` (u64), `hashtag` and
`mention` (raw, case-folded), `created` (date, fast: since/until).
"""

from datetime import date, datetime, timezone

import tantivy

from services.search.domain import IndexedTweet
from services.search.query import SearchQuery, Term

ID, TEXT, AUTHOR, HASHTAG, MENTION, CREATED = "id", "text", "author", "hashtag", "mention", "created"
STEMMED = "en_stem"


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field(ID, indexed=True, fast=True)
    builder.add_text_field(TEXT, tokenizer_name=STEMMED, index_option="position")
    builder.add_unsigned_field(AUTHOR, indexed=True)
    builder.add_text_field(HASHTAG, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(MENTION, tokenizer_name="raw", index_option="basic")
    builder.add_date_field(CREATED, indexed=True, fast=True)
    return builder.build()


def analyzer() -> tantivy.TextAnalyzer:
    """The same analysis as tantivy's en_stem, to turn query words into the terms the index holds."""
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    return builder.filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.stemmer("english")).build()


def document(tweet: IndexedTweet) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_unsigned(ID, tweet.tweet_id)
    doc.add_text(TEXT, tweet.text)
    doc.add_unsigned(AUTHOR, tweet.author_id)
    for tag in tweet.hashtags:
        doc.add_text(HASHTAG, tag)
    for handle in tweet.mentions:
        doc.add_text(MENTION, handle)
    doc.add_date(CREATED, tweet.created)
    return doc


class QueryBuilder:
    def __init__(self, index_schema: tantivy.Schema):
        self._schema, self._analyzer = index_schema, analyzer()

    def build(self, query: SearchQuery, below_id: int | None, from_id: int | None = None) -> tantivy.Query:
        must = [q for q in (self._term(t) for t in query.required) if q is not None]
        if query.required and not must:
            return tantivy.Query.empty_query()  # only punctuation, say: nothing a tweet could hold
        must += [tantivy.Query.term_query(self._schema, AUTHOR, author) for author in query.author_ids]
        if query.since or query.until:
            must.append(self._dates(query.since, query.until))
        if below_id is not None or from_id is not None:
            must.append(tantivy.Query.range_query(
                self._schema, ID, tantivy.FieldType.Unsigned, from_id, below_id, include_upper=below_id is None
            ))  # fmt: skip
        clauses = [(tantivy.Occur.Must, q) for q in must or [tantivy.Query.all_query()]]
        clauses += [(tantivy.Occur.MustNot, q) for q in (self._term(t) for t in query.excluded) if q is not None]
        return tantivy.Query.boolean_query(clauses)

    def _term(self, term: Term) -> tantivy.Query | None:
        if term.kind in ("hashtag", "mention"):
            return tantivy.Query.term_query(self._schema, HASHTAG if term.kind == "hashtag" else MENTION, term.value)
        words = self._analyzer.analyze(term.value)
        if not words:
            return None
        if len(words) == 1:
            return tantivy.Query.term_query(self._schema, TEXT, words[0])
        return tantivy.Query.phrase_query(self._schema, TEXT, words)

    def _dates(self, since: date | None, until: date | None) -> tantivy.Query:
        low, high = (_midnight(d) if d else None for d in (since, until))
        return tantivy.Query.range_query(
            self._schema, CREATED, tantivy.FieldType.Date, low, high, include_upper=high is None
        )


def _midnight(day: date) -> datetime:
    """The day's start, within the dates the index can hold (a bound past them bounds nothing more)."""
    return min(max(datetime(day.year, day.month, day.day, tzinfo=timezone.utc), tantivy.MIN_DATETIME), tantivy.MAX_DATETIME)
