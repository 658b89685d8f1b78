"""Text weighed without parsing weighs exactly what twitter-text's parser says."""

import random

import pytest

from services.tweet import domain
from services.tweet.domain import parse_tweet, weigh

ASCII = [*"ab zZ09#*@:/_-!?'\"\t\n\r\x00\x01\x7f~$%&+=,;<>()[]{}|\\^`", "\r\n", "http://", "https://", "www", "t", "co", "com",
         " #tag", "$CASH", "@user", "localhost:8080/path", "mailto:", "1#", "*#"]
OTHER = ["1\ufe0f\u20e3", ".", "x.com", "\u00e9", "e\u0301", "\u4e16", "\U0001f44d", "\u200d", "\ufeff", "\u202e", "\u2028"]


def texts(count: int, seed: int):
    """Mostly ASCII without a dot (weighed without parsing), at lengths around the limit; some of everything."""
    rng = random.Random(seed)
    for n in range(count):
        pieces = ASCII if n % 4 else ASCII + OTHER
        yield "".join(rng.choice(pieces) for _ in range(rng.choice([1, 3, 20, 140, 250, 280, 290])))


@pytest.mark.parametrize("seed", range(3))
def test_the_weight_is_the_parsers_for_many_generated_texts(seed):
    for text in texts(400, seed):
        parsed = parse_tweet(text)
        assert weigh(text) == (parsed.weightedLength, parsed.valid), repr(text)


@pytest.mark.parametrize("text", ["a" * 280, "a" * 281, "#bench 0a1b2c3d", "1 2 3 # * @ :/", "x\r\ny" * 70, "\r\n" * 141, " "])
def test_plain_ascii_without_a_dot_is_weighed_without_parsing(text, monkeypatch):
    expected = parse_tweet(text)
    monkeypatch.setattr(domain, "parse_tweet", lambda text: pytest.fail("parsed"))
    assert weigh(text) == (expected.weightedLength, expected.valid)
