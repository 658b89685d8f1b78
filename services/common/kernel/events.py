"""Domain events: plain dataclasses, shared by the services that emit and consume them.

Each has a twin message in protos/chirp/events/v1; event_codec maps one to
the other, so every queued payload is a typed, versioned protobuf.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class TweetCreated:
    """A tweet, a reply (in_reply_to_tweet_id set) or a retweet (retweet_of_tweet_id set)."""

    tweet_id: int
    author_id: int
    text: str = ""
    in_reply_to_tweet_id: int = 0
    retweet_of_tweet_id: int = 0
    author_below_line: bool = False  # seen below the celebrity line as they posted; False: not looked at


@dataclass(frozen=True)
class TweetDeleted:
    tweet_id: int
    author_id: int


@dataclass(frozen=True)
class UserFollowed:
    follower_id: int
    followee_id: int


@dataclass(frozen=True)
class UserUnfollowed:
    follower_id: int
    followee_id: int


@dataclass(frozen=True)
class UserDeleted:
    user_id: int


@dataclass(frozen=True)
class TweetLiked:
    tweet_id: int
    user_id: int


@dataclass(frozen=True)
class TweetUnliked:
    tweet_id: int
    user_id: int


@dataclass(frozen=True)
class CelebrityChanged:
    """A user crossed the celebrity line: up (celebrity) or, below the lower line, down."""

    user_id: int
    celebrity: bool
    since_ms: int  # when the user became a celebrity (for a user who stopped: when that stretch began)


@dataclass(frozen=True)
class UserBlocked:
    """The follows the block removed are UserUnfollowed events of their own, recorded with it."""

    blocker_id: int
    blocked_id: int


@dataclass(frozen=True)
class UserUnblocked:
    blocker_id: int
    blocked_id: int


@dataclass(frozen=True)
class UserMuted:
    muter_id: int
    muted_id: int


@dataclass(frozen=True)
class UserUnmuted:
    muter_id: int
    muted_id: int


Event = (
    TweetCreated | TweetDeleted | UserFollowed | UserUnfollowed | UserDeleted | TweetLiked | TweetUnliked | CelebrityChanged
    | UserBlocked | UserUnblocked | UserMuted | UserUnmuted
)
EVENT_TYPES: tuple[type, ...] = Event.__args__
