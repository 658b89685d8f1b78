"""Who sees whose tweets: the one place that decides it, for every read path.

A viewer's HiddenAccounts come from the Graph service (its ListHiddenIds):
the accounts blocked either way, and those the viewer muted. Each surface
hides a tweet when its author, or the author of the tweet it retweets, is
hidden there:

- home timeline and notifications: blocked either way, and muted;
- who-to-follow (the Graph's suggestions, and the followees named in their
  reasons): blocked either way, and muted;
- a user's own timeline (profile), replies and search results: blocked
  either way only (muting never hides an account's own page);
- a profile whose owner is blocked either way shows nothing at all (an
  empty page, as for an account with no tweets: no error, nothing leaked).

An anonymous reader has nothing hidden.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class Surface(Enum):
    HOME = "home"
    NOTIFICATIONS = "notifications"
    PROFILE = "profile"
    REPLIES = "replies"
    SEARCH = "search"
    SUGGESTIONS = "suggestions"


_MUTES_APPLY = frozenset({Surface.HOME, Surface.NOTIFICATIONS, Surface.SUGGESTIONS})


@dataclass(frozen=True)
class HiddenAccounts:
    """What to hide from a viewer: accounts blocked either way (on every surface) and the accounts the
    viewer muted (on the home timeline, notifications and suggestions only)."""

    blocked: frozenset[int] = frozenset()
    muted: frozenset[int] = frozenset()

    def on(self, surface: Surface) -> frozenset[int]:
        """The accounts whose tweets the surface hides from the viewer."""
        return self.blocked | self.muted if surface in _MUTES_APPLY else self.blocked

    def shows(self, surface: Surface, author_ids: Iterable[int]) -> bool:
        """Whether a tweet by these authors (its own, and its original's for a retweet) shows on the surface."""
        return self.on(surface).isdisjoint(author_ids)

    def shows_profile_of(self, owner_id: int) -> bool:
        return owner_id not in self.blocked


NOTHING_HIDDEN = HiddenAccounts()
