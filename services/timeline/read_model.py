"""A warm home read served from copies kept for reading: the reader's celebrities, the authors' recent posts, cards.

Each class wraps the port it speeds up (FollowGraph, TweetSource) and falls
back to it, the owning service, on a miss, then keeps what it learned in its
copies (ReaderCopies, CardCopies: in Redis in mesh mode, in process memory
on the embedded default):

- the reader's account and followed celebrities, for READER_TTL_SECONDS;
- each author's recent ids (a TimelineCache of POSTS_KEPT ids), built from
  storage, then kept current by the Tweet service as it commits a post, and
  built again after POSTS_TTL_SECONDS;
- cards with no viewer state, for CARD_TTL_SECONDS, and the viewer's
  liked/retweeted state on them, for VIEWER_TTL_SECONDS, with the id they
  vouch above (`states_born`: a tweet posted since, which the viewer's
  states lack, has none of theirs). Deleted tweets leave tombstones for
  TOMBSTONE_TTL_SECONDS.

The Tweet and Graph services tell the copies of each change as it commits,
and fan-out tells them again from the events; the lifetimes only bound a
read in flight that writes back what it read just before a change (and a
notice lost both ways): counts, profiles and celebrity standing in a read
may lag by at most those many seconds, times TTL_SPREAD (7.5 min). Copies
made together (a warm-up, a burst of readers) lapse at different times.
"""

import random
from collections.abc import Sequence

from services.common.kernel.ids import first_id_at, wall_clock_ms
from services.common.runtime.concurrency import concurrently
from services.common.telemetry import metrics
from services.timeline.domain import Card
from services.timeline.ports import CardCopies, FollowGraph, ReaderCopies, TimelineCache, TweetSource

READER_TTL_SECONDS = 300
CARD_TTL_SECONDS = 300
VIEWER_TTL_SECONDS = 300
TTL_SPREAD = 1.5  # each copy lives its TTL times a random 1 to 1.5, so copies made together don't all lapse together
TOMBSTONE_TTL_SECONDS = 600
LEAVING_SECONDS = 600  # a deleted account's cards are hidden this long; its tweets are tombstoned well before
POSTS_KEPT = 100  # recent ids kept per author: two pages of 50 for any reader, more come from storage
POSTS_TTL_SECONDS = 3600  # an author's list is built again hourly: a post whose notice was lost shows by then
KEPT_PAGE_SECONDS = 5  # a reader's first home page is kept encoded this long, while nothing it was read from changes


CLOCKS_APART_MS = 2000  # how far a service's clock may run behind the Snowflake service's


def spread(seconds: int) -> int:
    return round(seconds * random.uniform(1, TTL_SPREAD))


def states_born() -> int:
    """The id above which a viewer's states, kept from now on, vouch for a tweet they lack: every change of
    the viewer's state drops their kept states, so a tweet posted after they were made and missing from them
    has no state of the viewer's on it."""
    return first_id_at(wall_clock_ms() + CLOCKS_APART_MS)


def viewer_state(kept: int | None, born: int | None, tweet_id: int) -> int | None:
    """The viewer's state on a tweet, from their kept states (made when `born` says): none (0) on a tweet
    posted after they were made; None when not known."""
    if kept is not None:
        return kept
    return 0 if born is not None and tweet_id > born else None


class CachedReaders:
    """FollowGraph, with each reader's followed celebrities kept."""

    def __init__(self, graph: FollowGraph, copies: ReaderCopies):
        self._graph, self._copies = graph, copies

    async def celebrities_followed_by(self, user_id: int) -> list[int]:
        kept = await self._copies.celebrities(user_id)
        metrics.looked_up("reader", kept is not None, kept is None)
        if kept is not None:
            return kept
        celebrities = await self._graph.celebrities_followed_by(user_id)  # raises for a user with no account
        await self._copies.keep_celebrities(user_id, celebrities)
        return celebrities

    async def following_ids(self, user_id: int) -> list[int]:
        return await self._graph.following_ids(user_id)


class CachedTweets:
    """TweetSource, with authors' recent ids and hydrated cards kept."""

    def __init__(self, source: TweetSource, copies: CardCopies, posts: TimelineCache):
        self._source, self._copies, self._posts = source, copies, posts

    async def recent_ids(self, author_ids: Sequence[int], before: int | None, limit: int) -> list[int]:
        return await self._recent_ids(author_ids, before, limit, build=True)

    async def kept_recent_ids(self, author_id: int, before: int | None, limit: int) -> list[int] | None:
        """`recent_ids` of one author; None, building nothing, when their recent ids are not kept."""
        return await self._recent_ids([author_id], before, limit, build=False)

    async def _recent_ids(self, author_ids: Sequence[int], before: int | None, limit: int, build: bool) -> list[int] | None:
        if not author_ids or limit > POSTS_KEPT:
            return await self._source.recent_ids(author_ids, before, limit)
        lists = await self._posts.read_many(author_ids)
        missing = [a for a, ids in zip(author_ids, lists) if ids is None]
        metrics.looked_up("posts", len(author_ids) - len(missing), len(missing))
        if missing and not build:
            return None
        built = dict(zip(missing, await concurrently(*(self._build_posts(a) for a in missing))))
        found: list[int] = []
        short: list[int] = []  # authors whose kept ids end above what the page needs: ask storage
        for author, ids in zip(author_ids, lists):
            ids = built[author] if ids is None else ids
            below = [i for i in ids if before is None or i < before]
            if len(below) < limit and len(ids) >= POSTS_KEPT:
                short.append(author)
            else:
                found += below[:limit]
        if short:
            found += await self._source.recent_ids(short, before, limit)
        return sorted(set(found), reverse=True)[:limit]

    async def ids_ever_posted_by(self, author_id: int, limit: int) -> list[int]:
        return await self._source.ids_ever_posted_by(author_id, limit)

    async def hydrate(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[Card]:
        ids = list(dict.fromkeys(tweet_ids))
        if not ids:
            return []
        found = await self._copies.cards(viewer_id, ids)
        kept = {tweet_id: card for tweet_id, card in zip(ids, found) if card}
        misses = [tweet_id for tweet_id, card in zip(ids, found) if card is None]
        metrics.looked_up("card", len(kept), len(misses))
        if misses:
            fresh = {card.tweet_id: card for card in await self._source.hydrate(viewer_id, misses)}
            await self._copies.keep_cards(viewer_id, misses, fresh)
            kept.update(fresh)
        return [kept[i] for i in ids if i in kept]

    async def _build_posts(self, author_id: int) -> list[int]:
        """An author's recent ids from storage; posts committed meanwhile land in the list being built."""
        try:
            await self._posts.start(author_id)
            stored = await self._source.recent_ids([author_id], None, POSTS_KEPT)
            await self._posts.add([author_id], stored)
            await self._posts.complete(author_id)
        except BaseException:
            await self._posts.drop(author_id)
            raise
        kept = await self._posts.read(author_id)
        return stored if kept is None else kept  # None: another reader began building it again meanwhile
