"""Hashtags in a tweet's text, by twitter-text's rules, normalized: what Trending counts and Search finds.

twitter-text-parser (the project's tweet-length library) measures text but
extracts no hashtags, so the rule of twitter-text's `validHashtag` is kept
here: a `#` or `＃` at the start or after a character that can't be part
of a tag (nor `&`), then letters, marks, digits, `_` and a few joiners, at
least one of them a letter or mark (`#2024` is no hashtag); a match
followed by another `#` or by `://` is none either, nor is a tag inside a
URL. Tags are NFC-normalized and lower-cased, so `#Café` and `#CAFÉ` count
as one.
"""

import unicodedata

from twitter_text import extract_urls_with_indices

HASH_SIGNS = "#＃"
MAX_TAG_LENGTH = 100  # longer runs are cut, as a tweet holds 280 weighted characters anyway
_JOINERS = set("_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7")
_NOT_AFTER_SIGN = "\ufe0f\u20e3"  # keycap and emoji presentation: "#️⃣" is an emoji


def _is_alpha(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def _is_tag_char(char: str) -> bool:
    return _is_alpha(char) or unicodedata.category(char) == "Nd" or char in _JOINERS


def _boundary_before(text: str, at: int) -> bool:
    if at == 0:
        return True
    before = text[at - 1]
    return before in "\ufe0e\ufe0f" or not (_is_tag_char(before) or before == "&")


def _tag_at(text: str, sign: int) -> str | None:
    end = sign + 1
    while end < len(text) and _is_tag_char(text[end]):
        end += 1
    tag = text[sign + 1 : end]
    if not tag or text[sign + 1] in _NOT_AFTER_SIGN or not any(map(_is_alpha, tag)):
        return None
    if text[end : end + 1] in tuple(HASH_SIGNS) or text.startswith("://", end):
        return None
    return tag


def normalize(tag: str) -> str:
    """The form a tag is counted and shown under: NFC, lower-cased, without the sign."""
    return unicodedata.normalize("NFC", tag.lstrip(HASH_SIGNS)).lower()[:MAX_TAG_LENGTH]


def extract_hashtags(text: str) -> list[str]:
    """The distinct hashtags of the text, normalized, in order of first use."""
    text = unicodedata.normalize("NFC", text)
    urls = [(u["indices"][0], u["indices"][1]) for u in extract_urls_with_indices(text)]
    found: dict[str, None] = {}
    for at, char in enumerate(text):
        if char not in HASH_SIGNS or not _boundary_before(text, at) or any(a <= at < b for a, b in urls):
            continue
        tag = _tag_at(text, at)
        if tag is not None:
            found[normalize(tag)] = None
    return list(found)
