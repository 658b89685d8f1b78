"""CHIRP_RATE_LIMITS: the design's defaults, switched off or changed per action, and refused at start when malformed."""

import pytest

from services.common.limits.rates import BLOCK, DEFAULT_RATES, FOLLOW, LIKE, LOGIN, LOGIN_ADDRESS, POST, Rate, format_rates, parse_rates
from services.common.runtime.config import Settings
from services.common.runtime.env import ConfigError


def test_unset_means_the_designs_rates(monkeypatch):
    monkeypatch.delenv("CHIRP_RATE_LIMITS", raising=False)
    assert Settings.from_env().rate_limits == {
        POST: Rate(10, 60), FOLLOW: Rate(100, 3600), LIKE: Rate(1_000, 3600), BLOCK: Rate(200, 3600), LOGIN: Rate(10, 3600),
        LOGIN_ADDRESS: Rate(100, 3600),
    }


def without(rates: dict, action: str) -> dict:
    return {name: rate for name, rate in rates.items() if name != action}


def test_off_switches_every_limit_off():
    assert parse_rates("off") == {} and parse_rates(" OFF ") == {}


def test_an_action_named_is_changed_and_the_others_keep_their_default():
    assert parse_rates("post=20/1m, like=off") == {**without(DEFAULT_RATES, LIKE), POST: Rate(20, 60)}
    assert parse_rates("follow=5/2h,like=50/1d")[FOLLOW] == Rate(5, 7200)


def test_format_gives_back_the_same_rates():
    for rates in ({}, DEFAULT_RATES, {POST: Rate(3, 60)}):
        assert parse_rates(format_rates(rates)) == rates


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("tweet=10/60s", "'tweet' is not a limited action; name post, follow, like"),
        ("post=10", "post='10' is not N/<period> like post=10/60s"),
        ("post=ten/60s", "is not N/<period>"),
        ("post=0/60s", "the count must be 1 to"),
        ("post=10/0s", "the period must be 1 s to 7 d"),
        ("like=10/8d", "the period must be 1 s to 7 d"),
    ],
)
def test_a_malformed_setting_stops_the_start_naming_the_variable(monkeypatch, value, fragment):
    monkeypatch.setenv("CHIRP_RATE_LIMITS", value)
    with pytest.raises(ConfigError) as refused:
        Settings.from_env()
    assert str(refused.value).startswith("CHIRP_RATE_LIMITS: ") and fragment in str(refused.value)


@pytest.mark.parametrize(
    "rate, action, wait_ms, message",
    [
        (Rate(10, 60), POST, 11_200, "10 posts a minute: try again in 12 s"),
        (Rate(1_000, 3600), LIKE, 3_600, "1,000 likes an hour: try again in 4 s"),
        (Rate(1, 30), FOLLOW, 30_000, "1 follow per 30 s: try again in 30 s"),
        (Rate(100, 86_400), FOLLOW, 864_000, "100 follows a day: try again in 15 min"),
        (Rate(2, 604_800), POST, 302_400_000, "2 posts per 604,800 s: try again in 84 h"),
    ],
)
def test_a_refusal_says_the_limit_and_when_to_try_again(rate, action, wait_ms, message):
    assert rate.refusal(action, wait_ms) == message
