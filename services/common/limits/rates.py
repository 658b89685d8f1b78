"""What each limited action allows, and how CHIRP_RATE_LIMITS writes it down.

A rate is a token bucket: `tokens` at most (the burst), refilled evenly over
`period_seconds`, so a full bucket takes the whole period to refill after
it was emptied. Replies and retweets are posts; blocks and mutes share one
bucket; unfollows, unlikes, unblocks and unmutes are not limited. Logins are limited per account (`login`, wrong handles too)
and per client address (`login_address`), against guessing.
"""

import math
import re
from dataclasses import dataclass

POST, FOLLOW, LIKE, BLOCK, LOGIN, LOGIN_ADDRESS = "post", "follow", "like", "block", "login", "login_address"
ACTIONS = (POST, FOLLOW, LIKE, BLOCK, LOGIN, LOGIN_ADDRESS)
_NOUNS = {BLOCK: "blocks and mutes", LOGIN_ADDRESS: "logins from one address"}
MAX_TOKENS = 1_000_000_000
MAX_PERIOD_SECONDS = 7 * 24 * 3600
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_SPANS = {60: "a minute", 3600: "an hour", 86_400: "a day"}
_RULE = re.compile(r"(\d+)/(\d+)([smhd])")


@dataclass(frozen=True)
class Rate:
    tokens: int
    period_seconds: int

    @property
    def period_ms(self) -> int:
        return self.period_seconds * 1000

    def describe(self, action: str) -> str:
        """'10 posts a minute', '1,000 likes an hour', '5 follows per 30 s'."""
        span = _SPANS.get(self.period_seconds, f"per {self.period_seconds:,} s")
        noun = _NOUNS.get(action, f"{action}{'' if self.tokens == 1 else 's'}")
        return f"{self.tokens:,} {noun} {span}"

    def refusal(self, action: str, wait_ms: int) -> str:
        """What a refused caller reads: '10 posts a minute: try again in 12 s'."""
        return f"{self.describe(action)}: try again in {_wait(wait_ms)}"


def _wait(wait_ms: int) -> str:
    """'12 s' under two minutes, '20 min' under two hours, else '3 h' (rounded up: never sooner than true)."""
    seconds = max(1, math.ceil(wait_ms / 1000))
    if seconds < 120:
        return f"{seconds} s"
    return f"{math.ceil(seconds / 60)} min" if seconds < 7200 else f"{math.ceil(seconds / 3600)} h"


DEFAULT_RATES = {
    POST: Rate(10, 60), FOLLOW: Rate(100, 3600), LIKE: Rate(1_000, 3600), BLOCK: Rate(200, 3600), LOGIN: Rate(10, 3600),
    LOGIN_ADDRESS: Rate(100, 3600),
}


def parse_rates(raw: str) -> dict[str, Rate]:
    """Empty: the defaults. `off`: no limits. Else `action=N/<period>` or `action=off`, comma-separated
    (period a whole number of s, m, h or d); an action left unnamed keeps its default."""
    raw = raw.strip()
    if raw.lower() == "off":
        return {}
    rates = dict(DEFAULT_RATES)
    for part in filter(None, (p.strip() for p in raw.split(","))):
        action, _, rule = (s.strip() for s in part.partition("="))
        if action not in ACTIONS:
            raise ValueError(f"{action!r} is not a limited action; name {', '.join(ACTIONS)}")
        if rule.lower() == "off":
            rates.pop(action, None)
        else:
            rates[action] = _parse_rule(action, rule)
    return rates


def _parse_rule(action: str, rule: str) -> Rate:
    match = _RULE.fullmatch(rule.replace(" ", ""))
    if match is None:
        raise ValueError(f"{action}={rule!r} is not N/<period> like {action}=10/60s (s, m, h or d), nor off")
    tokens, period = int(match[1]), int(match[2]) * _UNITS[match[3]]
    if not 1 <= tokens <= MAX_TOKENS:
        raise ValueError(f"{action}={rule!r}: the count must be 1 to {MAX_TOKENS:,}")
    if not 1 <= period <= MAX_PERIOD_SECONDS:
        raise ValueError(f"{action}={rule!r}: the period must be 1 s to 7 d")
    return Rate(tokens, period)


def format_rates(rates: dict[str, Rate]) -> str:
    """The setting that gives these rates (and switches off the actions not named)."""
    if not rates:
        return "off"
    return ",".join(f"{a}={rates[a].tokens}/{rates[a].period_seconds}s" if a in rates else f"{a}=off" for a in ACTIONS)
