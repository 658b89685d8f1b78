import unicodedata

import pytest

from services.common.kernel.errors import InvalidArgument
from services.tweet.domain import valid_text


@pytest.mark.parametrize(
    "text",
    [
        "a" * 280,
        "世" * 140,  # CJK weighs 2
        "👍" * 140,  # emoji weigh 2
        "x" * 256 + " https://example.com/" + "p" * 200,  # a URL weighs 23 whatever its length
        "👨‍👩‍👧‍👦" * 140,  # a family ZWJ sequence is one emoji
    ],
    ids=["280-ascii", "140-cjk", "140-emoji", "url-counts-23", "zwj-sequences"],
)
def test_texts_up_to_280_weighted_characters_pass(text):
    assert valid_text(text) == unicodedata.normalize("NFC", text)


@pytest.mark.parametrize(
    "text, weight",
    [("a" * 281, 281), ("世" * 141, 282), ("x" * 258 + " https://example.com", 282)],
    ids=["281-ascii", "141-cjk", "url-tips-over"],
)
def test_over_280_weighted_characters_is_rejected_with_the_weight(text, weight):
    with pytest.raises(InvalidArgument, match=f"weighs {weight} characters; the limit is 280") as caught:
        valid_text(text)
    assert caught.value.field == "text"


@pytest.mark.parametrize("text", ["", "   ", "\n\t "], ids=["empty", "spaces", "whitespace"])
def test_empty_text_is_rejected(text):
    with pytest.raises(InvalidArgument, match="text is empty"):
        valid_text(text)


@pytest.mark.parametrize("char", ["\x00", "\ufffe", "\ufeff", "\uffff"])
def test_invalid_characters_are_rejected(char):
    with pytest.raises(InvalidArgument, match="character that tweets may not hold"):
        valid_text(f"hello {char} world")


def test_text_is_nfc_normalised():
    decomposed = "cafe\u0301"
    assert valid_text(decomposed) == "caf\u00e9"


def test_huge_text_is_rejected_before_parsing():
    with pytest.raises(InvalidArgument, match="characters long"):
        valid_text("a" * 100_000)
