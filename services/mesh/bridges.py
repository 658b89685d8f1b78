"""Adapters that join one service's port to another service, in process or over gRPC.

A service declares what it needs in its own ports and never imports
another service's code; the wiring joins them here, the one place that
knows both sides. Each bridge takes the other service, or its remote
adapter (both answer the same calls), and turns its values into the
using service's own.
"""

import logging
from collections.abc import Sequence
from dataclasses import replace

from services.common.kernel.errors import InvalidArgument, NotFound
from services.common.kernel.pagination import Page, PageRequest
from services.common.runtime.concurrency import concurrently
from services.common.runtime.outages import OUTAGES
from services.common.telemetry import metrics
from services.search.domain import Found
from services.search.ports import StoredTweet
from services.timeline.domain import VIEWER_LIKED, VIEWER_RETWEETED, Card
from services.timeline.messages import shown_to_viewer
from services.tweet.domain import Shown, TweetView
from services.tweet.messages import tweet_message

log = logging.getLogger("chirp.mesh")


class ProfilesFromGraph:
    """Account's Profiles, from the Graph service (GraphService or RemoteGraph)."""

    def __init__(self, graph):
        self._graph = graph

    async def create(self, handle: str, display_name: str) -> tuple[int, str]:
        user = await self._graph.create_user(handle, display_name)
        return user.user_id, user.handle

    async def find(self, handle: str) -> int | None:
        try:
            return (await self._graph.get_by_handle(handle)).user_id
        except (NotFound, InvalidArgument):
            return None


class ReadersFromGraph:
    """Timeline's FollowGraph, from the Graph service (GraphService or RemoteGraph)."""

    def __init__(self, graph):
        self._graph = graph

    async def celebrities_followed_by(self, user_id: int) -> list[int]:
        _, celebrities = await concurrently(self._graph.require_account(user_id), self._graph.celebrity_following_ids(user_id))
        return celebrities

    async def following_ids(self, user_id: int) -> list[int]:
        return await self._graph.following_ids(user_id)


class CardsFromTweets:
    """Timeline's TweetSource, from the Tweet service (TweetService or RemoteTweets)."""

    def __init__(self, tweets):
        self._tweets = tweets

    async def recent_ids(self, author_ids: Sequence[int], before: int | None, limit: int) -> list[int]:
        return await self._tweets.recent_ids(author_ids, before, limit)

    async def ids_ever_posted_by(self, author_id: int, limit: int) -> list[int]:
        return await self._tweets.ids_ever_posted_by(author_id, limit)

    async def hydrate(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[Card]:
        return [_card(view) for view in await self._tweets.hydrate(viewer_id, tweet_ids)]


class FoundFromCards:
    """Search's TweetCards, from Timeline's TweetSource: the read model's cards, or the Tweet service's."""

    def __init__(self, cards):
        self._cards = cards

    async def hydrate(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[Found]:
        return [Found(card.tweet_id, shown_to_viewer(card), card.authors) for card in await self._cards.hydrate(viewer_id, tweet_ids)]


class PagesFromCards:
    """Tweet's KeptPages, from Timeline's read model: a warm page in one call when it can (`warm`, in
    Redis), else its CachedTweets over the Tweet service itself, which keeps what was missing."""

    def __init__(self, cards, warm=None):
        self._cards, self._warm = cards, warm

    async def by_author(self, viewer_id: int | None, author_id: int, page: PageRequest, build: bool) -> Page[Shown] | None:
        """As the stored page: ids below the cursor, then the visible among them (a deleted one leaves a gap).
        None, as for copies not kept, when the copies' server does not answer: storage still can."""
        try:
            return await self._kept_page(viewer_id, author_id, page, build)
        except OUTAGES as error:
            log.warning("the read copies did not answer (%r); a user timeline is read from storage", error)
            return None

    async def _kept_page(self, viewer_id: int | None, author_id: int, page: PageRequest, build: bool) -> Page[Shown] | None:
        if self._warm is not None:
            found = await self._warm.page(viewer_id, author_id, page)
            metrics.looked_up("user_page", found is not None, found is None)
            if found is not None:
                return Page([Shown(card.tweet_id, shown_to_viewer(card), card.authors) for card in found.items], found.next_cursor)
        if build:
            ids = await self._cards.recent_ids([author_id], page.cursor, page.size + 1)
        elif (ids := await self._cards.kept_recent_ids(author_id, page.cursor, page.size + 1)) is None:
            return None
        more, ids = len(ids) > page.size, ids[: page.size]
        cards = await self._cards.hydrate(viewer_id, ids)
        return Page([Shown(card.tweet_id, shown_to_viewer(card), card.authors) for card in cards], ids[-1] if more else None)


class HandlesFromGraph:
    """Search's UserHandles, from the Graph service (GraphService or RemoteGraph)."""

    def __init__(self, graph):
        self._graph = graph

    async def user_id(self, handle: str) -> int | None:
        try:
            return (await self._graph.get_by_handle(handle)).user_id
        except NotFound:
            return None


class ArchiveFromTweets:
    """Search's TweetArchive, from the Tweet service (TweetService or RemoteTweets)."""

    def __init__(self, tweets):
        self._tweets = tweets

    async def scan(self, after: int, limit: int) -> list[StoredTweet]:
        return [StoredTweet(t.tweet_id, t.author_id, t.text) for t in await self._tweets.scan(after, limit)]


def _card(view: TweetView) -> Card:
    """The viewer's state (on a retweet, on its original: the same) apart from the tweet's bytes."""
    viewer = (VIEWER_LIKED if view.viewer_liked else 0) | (VIEWER_RETWEETED if view.viewer_retweeted else 0)
    shown = replace(view, viewer_liked=False, viewer_retweeted=False)
    if view.retweeted is not None:
        shown = replace(shown, retweeted=replace(view.retweeted, viewer_liked=False, viewer_retweeted=False))
    authors = (view.author.user_id, (view.retweeted or view).author.user_id)
    return Card(view.tweet.tweet_id, view.original_id, authors, tweet_message(shown).SerializeToString(), viewer)
