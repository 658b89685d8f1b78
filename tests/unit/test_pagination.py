import pytest

from services.common.kernel.errors import InvalidArgument
from services.common.kernel.pagination import PageLimits, PageTokens

LIMITS = PageLimits(default=20, maximum=100)


def test_page_size_zero_means_the_default_and_large_sizes_are_clamped():
    assert (LIMITS.size(0), LIMITS.size(7), LIMITS.size(5000)) == (20, 7, 100)


def test_negative_page_size_is_rejected():
    with pytest.raises(InvalidArgument, match="page_size must not be negative") as caught:
        LIMITS.size(-1)
    assert caught.value.field == "page_size"


def test_a_token_round_trips_within_its_scope():
    tokens = PageTokens(b"k")
    assert tokens.decode("home/1", tokens.encode("home/1", 123456789)) == 123456789


def test_a_token_is_opaque():
    token = PageTokens(b"k").encode("home/1", 123456789)
    assert "123456789" not in token and "home" not in token


@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-2] + ("A" if t[-2] != "A" else "B") + t[-1], lambda t: "x" + t[1:], lambda t: t[:10]],
    ids=["edited-tail", "edited-head", "truncated"],
)
def test_a_tampered_token_is_rejected(mangle):
    tokens = PageTokens(b"k")
    with pytest.raises(InvalidArgument, match="page_token is not valid"):
        tokens.decode("home/1", mangle(tokens.encode("home/1", 99)))


@pytest.mark.parametrize("garbage", ["!!!", "not-a-token", "%%%%"])
def test_garbage_is_rejected(garbage):
    with pytest.raises(InvalidArgument, match="page_token is not valid"):
        PageTokens(b"k").decode("home/1", garbage)


def test_a_token_from_another_list_is_rejected():
    tokens = PageTokens(b"k")
    with pytest.raises(InvalidArgument, match="different list"):
        tokens.decode("home/2", tokens.encode("home/1", 99))


def test_a_token_signed_with_another_secret_is_rejected():
    with pytest.raises(InvalidArgument, match="altered or was not issued"):
        PageTokens(b"other").decode("home/1", PageTokens(b"k").encode("home/1", 99))


def test_the_last_page_has_an_empty_token():
    assert PageTokens(b"k").next_token("home/1", None) == ""
