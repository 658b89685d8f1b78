"""Trends as plain values: a tweet's use of hashtags, counts over a window, and the scoring rule.

The rule (Mastodon's, on distinct authors): `expected` is the tag's distinct
authors in the window before (at least 1), `observed` its distinct authors
now; a tag whose observed count reaches MIN_AUTHORS and is at least the
expected one scores (observed - expected)^2 / expected, any other 0. A
score then decays with a half-life of the window's length, so a tag whose
burst is over fades instead of vanishing; a tag nobody used in the window
drops out at once.
"""

from dataclasses import dataclass

from services.common.kernel.errors import InvalidArgument

DEFAULT_WINDOW_MINUTES = 60
MAX_WINDOW_MINUTES = 24 * 60
MIN_AUTHORS = 5  # distinct authors a tag needs in the window to score at all
MAX_RANKED = 100  # entries kept in a published ranking (pages go this far)
RETENTION_MINUTES = MAX_WINDOW_MINUTES + 10  # uses kept: the longest window and a margin (baselines are kept apart)
MINUTE_MS = 60_000


@dataclass(frozen=True)
class Use:
    """One original tweet or reply and the distinct, normalized hashtags it carries."""

    tweet_id: int
    author_id: int
    minute: int  # minutes since the Unix epoch, from the tweet id's timestamp
    tags: tuple[str, ...]


@dataclass(frozen=True)
class TagCounts:
    authors: int  # distinct authors in the window: each counts once, however often they used the tag
    tweets: int


@dataclass(frozen=True)
class Trend:
    tag: str
    score: float
    authors: int
    baseline: int  # distinct authors in the window before
    tweets: int


@dataclass(frozen=True)
class Ranking:
    window_minutes: int
    refreshed_ms: int
    trends: tuple[Trend, ...]


def window_of(requested: int) -> int:
    """The window a request asks for: 0 means the default; 1 to MAX_WINDOW_MINUTES otherwise."""
    if requested == 0:
        return DEFAULT_WINDOW_MINUTES
    if not 1 <= requested <= MAX_WINDOW_MINUTES:
        raise InvalidArgument(
            f"window_minutes must be from 1 to {MAX_WINDOW_MINUTES} (24 hours), or 0 for {DEFAULT_WINDOW_MINUTES}; "
            f"got {requested}",
            field="window_minutes",
        )
    return requested


def growth_score(observed: int, expected: int) -> float:
    expected = max(expected, 1)
    if observed < MIN_AUTHORS or observed < expected:
        return 0.0
    return (observed - expected) ** 2 / expected


def decayed(score: float, elapsed_ms: int, window_minutes: int) -> float:
    """A score carried forward: halved every window's length."""
    return score * 0.5 ** (max(elapsed_ms, 0) / (window_minutes * MINUTE_MS))


def snapshot_step(window_minutes: int) -> int:
    """How often (minutes) a window's distinct-author counts are kept as later baselines: 12 or 13 a window."""
    return max(1, window_minutes // 12)
