"""Fan-out on write: applies tweet and follow events to the cached home timelines.

A tweet's followers are paged through in chunks (default 1,000); each
chunk is applied in place, or queued as a job for any worker when a
ChunkQueue is given, so one popular author can't hold the queue (a lone
chunk, an author with one chunk of followers, is applied in place). Every
handler is idempotent (adding an id twice or removing a missing one
changes nothing), so an event or chunk delivered twice does no harm.
Follow and unfollow events are checked against the graph first, so one
that arrives after the opposite change (redelivered, or out of order)
doesn't undo it. An unfollow is marked before its removal runs, and what
an add writes is checked against the marks once written: a marked
follower who the graph says unfollowed (whose removal may have run before
the write) loses it. The graph is asked only about the marked few.

A celebrity's tweets are not pushed: readers pull them. A follow pushes
the followee's recent tweets whatever their standing, and when a user
stops being a celebrity, the tweets they posted while they were one are
pushed then, so crossing the line either way loses no tweet.
"""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from services.common.kernel.events import (
    CelebrityChanged,
    Event,
    TweetCreated,
    TweetDeleted,
    UserDeleted,
    UserFollowed,
    UserUnfollowed,
)
from services.common.kernel.ids import ID_LEASE_MS, first_id_at
from services.common.kernel.pagination import PageRequest
from services.common.messaging.outbox.store import QueueStats
from services.common.telemetry import metrics
from services.fanout.domain import Action, Chunk
from services.fanout.ports import AuthorTweets, ChunkQueue, EventQueue, FollowerSource, ReaderNotices, TimelineWriter, UnfollowMarks


@dataclass
class FanoutCounters:
    events_processed: int = 0
    timeline_writes: int = 0
    celebrity_tweets_skipped: int = 0


class FanoutService:
    def __init__(
        self,
        timelines: TimelineWriter,
        followers: FollowerSource,
        tweets: AuthorTweets,
        unfollows: UnfollowMarks,
        batch_size: int,
        capacity: int,
        chunks: ChunkQueue | None = None,
        queue: EventQueue | None = None,
        readers: ReaderNotices | None = None,
    ):
        self._timelines = timelines
        self._readers = readers
        self._chunks = chunks
        self._queue = queue
        self._followers = followers
        self._tweets = tweets
        self._unfollows = unfollows
        self._batch_size = batch_size
        self._capacity = capacity
        self.counters = FanoutCounters()
        self._handlers = {
            TweetCreated: self._on_tweet_created,
            TweetDeleted: self._on_tweet_deleted,
            UserFollowed: self._on_followed,
            UserUnfollowed: self._on_unfollowed,
            UserDeleted: self._on_user_deleted,
            CelebrityChanged: self._on_celebrity_changed,
        }

    async def handle(self, event: Event) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            await handler(event)
            self.counters.events_processed += 1

    async def queue_stats(self) -> QueueStats:
        return await self._queue.stats() if self._queue else QueueStats(0, 0.0, 0)

    async def _on_tweet_created(self, event: TweetCreated) -> None:
        """Skips a celebrity's tweet. An author seen below the line as they posted is pushed without asking:
        one who crossed it since is pushed once more than needed (readers show each id once), while a
        tweet is only skipped on the graph's word now, so one posted as its author dropped below isn't lost."""
        if not event.author_below_line and await self._followers.is_celebrity(event.author_id):
            self.counters.celebrity_tweets_skipped += 1
            return
        await self._fan_out(Action.ADD, event.tweet_id, event.author_id)

    async def _on_tweet_deleted(self, event: TweetDeleted) -> None:
        if self._readers is not None:
            await self._readers.deleted([event.tweet_id])
        await self._fan_out(Action.REMOVE, event.tweet_id, event.author_id)

    async def apply(self, chunk: Chunk) -> None:
        """Writes one chunk to the timelines: the idempotent unit of fan-out work."""
        if chunk.action is Action.REMOVE:
            self._count(await self._timelines.remove(chunk.follower_ids, [chunk.tweet_id]))
            return
        self._count(await self._timelines.add(chunk.follower_ids, [chunk.tweet_id]))
        metrics.delivered(chunk.tweet_id)
        if chunk.author_id:
            await self._take_back(chunk.author_id, chunk.follower_ids, [chunk.tweet_id])

    async def _take_back(self, author_id: int, follower_ids: Sequence[int], tweet_ids: list[int]) -> None:
        """Removes what was just added from followers who no longer follow the author. An unfollow marked
        before this check is seen here (and the graph asked whether it stands); one marked after it
        removes the tweets itself, after this write."""
        marked = await self._unfollows.marked(author_id, follower_ids)
        if not marked:
            return
        following = await self._followers.followers_among(author_id, sorted(marked))
        gone = [follower for follower in follower_ids if follower in marked and follower not in following]
        if gone:
            await self._timelines.remove(gone, tweet_ids)

    async def _fan_out(self, action: Action, tweet_id: int, author_id: int) -> None:
        """Chunks go to the queue, for any worker; an author whose followers fit in one chunk (most
        authors) is applied here, since queuing that chunk would only add a hop."""
        async for batch, only in self._follower_batches(author_id):
            chunk = Chunk(action, tweet_id, tuple(batch), author_id)
            await (self._chunks.submit(chunk) if self._chunks and not only else self.apply(chunk))

    async def _on_followed(self, event: UserFollowed) -> None:
        """Pushes the followee's recent tweets, a celebrity's too: they must be there if the followee
        stops being one (only the tweets posted while they were one are pushed then)."""
        await self._reader_changed(event.follower_id)
        if not await self._followers.is_following(event.follower_id, event.followee_id):
            return  # unfollowed since: the unfollow's own event removes nothing that this would add
        ids = await self._tweets.recent_ids([event.followee_id], None, self._capacity)
        self._count(await self._timelines.add([event.follower_id], ids))
        await self._take_back(event.followee_id, [event.follower_id], ids)

    async def _on_celebrity_changed(self, event: CelebrityChanged) -> None:
        """A user who stops being a celebrity has their tweets of that stretch pushed, as if just posted;
        their followers' readers look again at whom they pull (at most a threshold's worth of them)."""
        if self._readers is not None:
            async for batch, _ in self._follower_batches(event.user_id):
                await self._readers.readers_changed(batch)
        if event.celebrity:
            return
        floor = first_id_at(event.since_ms - ID_LEASE_MS)  # an id leased just before the crossing is a tweet of it
        for tweet_id in await self._tweets.recent_ids([event.user_id], None, self._capacity):
            if tweet_id >= floor:
                await self._fan_out(Action.ADD, tweet_id, event.user_id)

    async def _on_unfollowed(self, event: UserUnfollowed) -> None:
        await self._reader_changed(event.follower_id)
        await self._unfollows.mark(event.follower_id, event.followee_id)  # before the removal: see _take_back
        if await self._followers.is_following(event.follower_id, event.followee_id):
            return  # followed again since: keep what the new follow brings
        ids = await self._tweets.ids_ever_posted_by(event.followee_id, self._capacity)
        self._count(await self._timelines.remove([event.follower_id], ids))

    def _count(self, writes: int) -> None:
        # Not `counter += await ...`: that reads the counter before the await, so chunks applied
        # side by side would overwrite each other's counts.
        self.counters.timeline_writes += writes

    async def _on_user_deleted(self, event: UserDeleted) -> None:
        await self._timelines.drop(event.user_id)
        if self._readers is not None:
            await self._readers.account_deleted(event.user_id)

    async def _reader_changed(self, user_id: int) -> None:
        if self._readers is not None:
            await self._readers.readers_changed([user_id])

    async def _follower_batches(self, author_id: int) -> AsyncIterator[tuple[list[int], bool]]:
        """Pages of the author's followers, each with whether it is the only one."""
        cursor = None
        while True:
            page = await self._followers.follower_ids(author_id, PageRequest(self._batch_size, cursor))
            if page.items:
                yield page.items, cursor is None and page.next_cursor is None
            if page.next_cursor is None:
                return
            cursor = page.next_cursor
