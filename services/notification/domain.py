"""Notifications: what others did to a user, grouped per target and kind within a time window.

A group is one row with an exact count of its actors and, kept beside it,
at most KEPT_ACTORS of them (the newest), so a tweet with 100,000 likes
costs one group and KEPT_ACTORS actor rows. Undoing an action takes its
actor out of the group; when the actor is no longer kept (the group
outgrew KEPT_ACTORS), the count of the newest group that holds more actors
than it keeps goes down by one. Groups are ordered by `position`: the
millisecond of their last activity, shifted left 20 bits, with 20 bits from
the group's identity below (ties between two groups updated in the same
millisecond are broken, not lost).
"""

from dataclasses import dataclass
from enum import IntEnum

from services.common.visibility.rules import HiddenAccounts, Surface

KEPT_ACTORS = 50  # actor rows kept per group, the newest: names to show and exact undo for them
SHOWN_ACTORS = 3  # actors named in a listed notification
POSITION_SHIFT = 20


class Kind(IntEnum):
    MENTION = 1
    REPLY = 2
    LIKE = 3
    RETWEET = 4
    FOLLOW = 5


_VERBS = {
    Kind.MENTION: "mentioned you",
    Kind.REPLY: "replied to your tweet",
    Kind.LIKE: "liked your tweet",
    Kind.RETWEET: "retweeted your tweet",
    Kind.FOLLOW: "followed you",
}


@dataclass(frozen=True)
class Activity:
    """One action to tell `recipient_id` of. subject_id: the recipient's tweet liked, retweeted or replied
    to, or the tweet that mentions them; 0 for a follow. cause_id: the tweet that is the action (a reply,
    a retweet, a mention), 0 when the action is no tweet (a like, a follow)."""

    recipient_id: int
    kind: Kind
    subject_id: int
    actor_id: int
    cause_id: int
    at_ms: int

    def position(self) -> int:
        mixed = hash((self.recipient_id, self.kind, self.subject_id, self.actor_id)) & ((1 << POSITION_SHIFT) - 1)
        return (self.at_ms << POSITION_SHIFT) | mixed


@dataclass(frozen=True)
class Undo:
    """An action taken back: the actor leaves the recipient's groups of that kind and subject. counted: the
    action was counted (the actor is not hidden from the recipient), so an actor no longer kept counts down."""

    recipient_id: int
    kind: Kind
    subject_id: int
    actor_id: int
    counted: bool = True


@dataclass(frozen=True)
class TweetGone:
    """A deleted tweet: the groups about it go, and the actors whose action it was leave theirs."""

    tweet_id: int


@dataclass(frozen=True)
class UserGone:
    """A deleted account: its own groups go, and it leaves the groups it is kept in."""

    user_id: int


Change = Activity | Undo | TweetGone | UserGone


@dataclass(frozen=True)
class Group:
    group_id: int
    recipient_id: int
    kind: Kind
    subject_id: int
    actor_count: int
    first_at_ms: int
    last_at_ms: int
    position: int
    actor_ids: tuple[int, ...]  # the kept actors, newest first




@dataclass(frozen=True)
class Shown:
    """A group as the user sees it: hidden actors out of the names and the count."""

    group: Group
    actor_ids: tuple[int, ...]
    actor_count: int


def hides(hidden: HiddenAccounts, actor_id: int) -> bool:
    """Whether notifications hide this actor from the user (visibility's rule for the surface)."""
    return not hidden.shows(Surface.NOTIFICATIONS, (actor_id,))


def shown(group: Group, hidden: HiddenAccounts) -> Shown | None:
    """The group without hidden actors; None when nothing of it is left to show."""
    visible = tuple(a for a in group.actor_ids if not hides(hidden, a))
    count = group.actor_count - (len(group.actor_ids) - len(visible))
    if count <= 0:
        return None
    return Shown(group, visible[:SHOWN_ACTORS], count)


def summary(kind: Kind, handles: list[str], count: int) -> str:
    """"alice liked your tweet", "alice and bob …", "alice and 4 others …"."""
    names = handles or ["someone"]
    verb = _VERBS[kind]
    if count <= 1:
        return f"{names[0]} {verb}"
    if count == 2 and len(names) >= 2:
        return f"{names[0]} and {names[1]} {verb}"
    others = count - 1
    return f"{names[0]} and {others} {'other' if others == 1 else 'others'} {verb}"


def bucket_of(at_ms: int, window_ms: int) -> int:
    """The grouping window an activity falls in: windows are fixed, so concurrent writers agree on the group."""
    return at_ms // window_ms
