"""The query language, parsed into plain values; the index adapter turns them into its own queries.

    words         all must match, after stemming ("running" finds "runs")
    "a phrase"    the words in this order
    #hashtag      @mention      from:handle
    -term         excludes a word, phrase, hashtag or mention
    since:YYYY-MM-DD  until:YYYY-MM-DD   posting date, UTC; until is exclusive

User text never reaches the index's own query parser. A malformed query is
InvalidArgument naming what is wrong and where (1-based character position).
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date

from services.common.kernel import hashtags
from services.common.kernel.errors import InvalidArgument

MAX_QUERY_CHARACTERS = 512
_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")
_OPERATOR = re.compile(r"(from|since|until):(.*)", re.IGNORECASE | re.DOTALL)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Term:
    kind: str  # "word", "phrase", "hashtag" or "mention"
    value: str  # as written for words and phrases (the index analyses them); case-folded for the others


@dataclass(frozen=True)
class SearchQuery:
    required: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()
    from_handles: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    author_ids: tuple[int, ...] = field(default=())  # the from: handles, once resolved

    def resolved(self, author_ids: list[int]) -> "SearchQuery":
        return replace(self, author_ids=tuple(author_ids))


def parse(text: str) -> SearchQuery:
    if not text.strip():
        raise _error("query is empty: give at least one word, phrase, #hashtag, @mention or from:handle")
    if len(text) > MAX_QUERY_CHARACTERS:
        raise _error(f"query is {len(text)} characters long; at most {MAX_QUERY_CHARACTERS}")
    parts = _Parts()
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
        else:
            position = _read_one(text, position, parts)
    return parts.query()


@dataclass
class _Parts:
    required: list[Term] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    since: date | None = None
    until: date | None = None

    def query(self) -> SearchQuery:
        if not (self.required or self.handles or self.since or self.until):
            raise _error("query only excludes: add a word, phrase, #hashtag, @mention or from:handle to match")
        if self.since and self.until and self.since >= self.until:
            raise _error(f"since:{self.since} is not before until:{self.until}, so nothing can match")
        return SearchQuery(tuple(self.required), tuple(self.excluded), tuple(self.handles), self.since, self.until)


def _read_one(text: str, start: int, parts: _Parts) -> int:
    """Reads the term at `start` into `parts`; returns where the next one may begin."""
    position = start + 1 if text[start] == "-" else start
    excluded = position > start
    if position >= len(text) or text[position].isspace():
        raise _error(f"'-' at position {start + 1} excludes nothing: write the word right after it")
    if text[position] == '"':
        end = text.find('"', position + 1)
        if end < 0:
            raise _error(f"unbalanced quote: the phrase opened at position {position + 1} is never closed")
        phrase = text[position + 1 : end]
        if not phrase.strip():
            raise _error(f"empty phrase at position {position + 1}: put words between the quotes")
        (parts.excluded if excluded else parts.required).append(Term("phrase", phrase))
        return end + 1
    end = position
    while end < len(text) and not text[end].isspace() and text[end] != '"':
        end += 1
    _word(text[position:end], position + 1, excluded, parts)
    return end


def _word(word: str, at: int, excluded: bool, parts: _Parts) -> None:
    operator = _OPERATOR.fullmatch(word)
    if operator:
        if excluded:
            raise _error(f"'-' at position {at - 1} can't exclude {operator[1]}: only words, phrases, #hashtags and @mentions")
        return _operator(operator[1].lower(), operator[2], at, parts)
    if word[0] == "#":
        if hashtags.extract_hashtags(word) != [hashtags.normalize(word)]:  # the whole word, by the rule Trending counts with
            raise _error(f"{word!r} at position {at} is not a hashtag: '#' takes letters, marks, digits or underscores, one letter at least")
        term = Term("hashtag", hashtags.normalize(word[1:]))
    elif word[0] == "@":
        if not _HANDLE.fullmatch(word[1:]):
            raise _error(f"{word!r} at position {at} is not a mention: '@' takes a handle of 1 to 15 letters, digits or underscores")
        term = Term("mention", word[1:].casefold())
    else:
        term = Term("word", word)
    (parts.excluded if excluded else parts.required).append(term)


def _operator(name: str, value: str, at: int, parts: _Parts) -> None:
    if name == "from":
        handle = value.removeprefix("@")
        if not handle:
            raise _error(f"from: at position {at} names no handle: write from:handle")
        if not _HANDLE.fullmatch(handle):
            raise _error(f"from:{value} at position {at}: a handle is 1 to 15 letters, digits or underscores")
        parts.handles.append(handle.casefold())
        return
    day = _date(name, value, at)
    if name == "since":
        parts.since = day
    else:
        parts.until = day


def _date(name: str, value: str, at: int) -> date:
    try:
        if _DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise _error(f"{name}:{value} at position {at}: {value!r} is not a date; write YYYY-MM-DD")


def _error(message: str) -> InvalidArgument:
    return InvalidArgument(message, field="query")
