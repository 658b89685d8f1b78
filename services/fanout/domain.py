"""Fan-out work as plain values: a chunk is one tweet id for up to a chunk's worth of followers."""

from dataclasses import dataclass
from enum import Enum


class Action(Enum):
    ADD = 1
    REMOVE = 2


@dataclass(frozen=True)
class Chunk:
    """Add the tweet to (or remove it from) these followers' home timelines. Idempotent."""

    action: Action
    tweet_id: int
    follower_ids: tuple[int, ...]
    author_id: int = 0  # an added tweet is taken back from followers who no longer follow its author
