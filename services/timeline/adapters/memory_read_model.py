"""The read model's copies in process memory, for the embedded mesh, where every service shares the process.

The same copies as in Redis (ReaderCopies, CardCopies, with the same
lifetimes), told of the same changes through the same notices (Tweet's and
Graph's ReadCopies, fan-out's ReaderNotices). Reader entries, cards and
viewer states each hold at most `limit` entries: past it, the oldest kept
goes first. Author lists are kept as the embedded home timelines are (one
per author read, 100 ids each, until the process ends).
"""

import time
from collections.abc import Sequence

from services.timeline.domain import Card
from services.timeline.ports import TimelineCache
from services.timeline.read_model import (
    CARD_TTL_SECONDS,
    LEAVING_SECONDS,
    READER_TTL_SECONDS,
    TOMBSTONE_TTL_SECONDS,
    VIEWER_TTL_SECONDS,
    spread,
    states_born,
    viewer_state,
)

_TOMBSTONE = False


class _Expiring:
    """A bounded map whose entries lapse after their own lifetimes."""

    def __init__(self, limit: int):
        self._entries: dict = {}
        self._limit = limit

    def get(self, key):
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key, value, seconds: float, only_if_absent: bool = False) -> None:
        if only_if_absent and self.get(key) is not None:
            return
        self._entries.pop(key, None)
        if len(self._entries) >= self._limit:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (time.monotonic() + seconds, value)

    def drop(self, key) -> None:
        self._entries.pop(key, None)


class States(dict):
    """A viewer's state on each tweet, by id, and the id above which a tweet they lack has none (read_model.states_born)."""

    def __init__(self, born: int):
        super().__init__()
        self.born = born


class MemoryCopies:
    def __init__(self, posts: TimelineCache, limit: int = 200_000):
        self._posts = posts
        self._readers, self._cards, self._viewers = _Expiring(limit), _Expiring(limit), _Expiring(limit)
        self._leaving: dict[int, float] = {}  # user id -> when deleted (monotonic seconds)

    async def celebrities(self, user_id: int) -> list[int] | None:
        return self.kept_celebrities(user_id)

    def kept_celebrities(self, user_id: int) -> list[int] | None:
        return self._readers.get(user_id)

    async def keep_celebrities(self, user_id: int, celebrities: list[int]) -> None:
        self._readers.put(user_id, list(celebrities), spread(READER_TTL_SECONDS))

    async def cards(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[Card | bool | None]:
        states = self.kept_states(viewer_id) if viewer_id is not None else None
        leaving = self.leaving_now()
        return [self.card(tweet_id, states, viewer_id is None, leaving) for tweet_id in tweet_ids]

    async def keep_cards(self, viewer_id: int | None, tweet_ids: Sequence[int], fresh: dict[int, Card]) -> None:
        states = self._viewer_states(viewer_id)
        for tweet_id in tweet_ids:
            card = fresh.get(tweet_id)
            if card is None:
                self._cards.put(tweet_id, _TOMBSTONE, TOMBSTONE_TTL_SECONDS, only_if_absent=True)
                continue
            self._cards.put(tweet_id, card, spread(CARD_TTL_SECONDS), only_if_absent=True)
            if states is not None:
                states[tweet_id] = card.viewer

    # Tweet's and Graph's ReadCopies, fan-out's ReaderNotices: as redis_notices.py does.
    async def posted(self, author_id: int, tweet_id: int) -> None:
        await self._posts.add([author_id], [tweet_id])

    async def deleted(self, tweet_ids: Sequence[int]) -> None:
        for tweet_id in tweet_ids:
            self._cards.put(tweet_id, _TOMBSTONE, TOMBSTONE_TTL_SECONDS)

    async def counts_changed(self, tweet_ids: Sequence[int]) -> None:
        for tweet_id in tweet_ids:
            if self._cards.get(tweet_id) is not _TOMBSTONE:
                self._cards.drop(tweet_id)

    async def viewer_changed(self, viewer_id: int) -> None:
        self._viewers.drop(viewer_id)

    async def follows_changed(self, user_id: int) -> None:
        self._readers.drop(user_id)

    async def readers_changed(self, user_ids: Sequence[int]) -> None:
        for user_id in user_ids:
            self._readers.drop(user_id)

    async def account_deleted(self, user_id: int) -> None:
        self._leaving[user_id] = time.monotonic()
        self._readers.drop(user_id)
        self._viewers.drop(user_id)
        await self._posts.drop(user_id)

    def card(self, tweet_id: int, states: "States | None", anonymous: bool, leaving: set[int]) -> Card | bool | None:
        """As `cards` gives it, with the viewer's kept states and the accounts leaving at hand."""
        card = self._cards.get(tweet_id)
        if card is _TOMBSTONE or (card is not None and leaving and not leaving.isdisjoint(card.authors)):
            return False
        if card is not None and card.retweet and self._cards.get(card.original_id) is _TOMBSTONE:
            return False  # a retweet of a deleted tweet
        state = 0 if anonymous else viewer_state(states.get(tweet_id), states.born, tweet_id) if states is not None else None
        if card is None or state is None:
            return None
        return Card(card.tweet_id, card.original_id, card.authors, card.shown, state)

    def kept_states(self, viewer_id: int) -> "States | None":
        """The viewer's state on each tweet, by id; None when not kept."""
        return self._viewers.get(viewer_id)

    def _viewer_states(self, viewer_id: int | None) -> "States | None":
        if viewer_id is None:
            return None
        states = self._viewers.get(viewer_id)
        if states is None:
            states = States(born=states_born())
            self._viewers.put(viewer_id, states, spread(VIEWER_TTL_SECONDS))
        return states

    def leaving_now(self) -> set[int]:
        """The accounts deleted within LEAVING_SECONDS."""
        since = time.monotonic() - LEAVING_SECONDS
        for user_id in [u for u, at in self._leaving.items() if at < since]:
            del self._leaving[user_id]
        return set(self._leaving)
