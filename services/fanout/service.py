"""Fan-out on write: applies tweet and follow events to the cached home timelines.

A tweet's followers are paged through in chunks (default 1,000); each
chunk is applied in place, or queued as a job for any worker when a
ChunkQueue is given, so one popular author can't hold the queue. Every
handler is idempotent (adding an id twice or removing a missing one
changes nothing), so an event or chunk delivered twice does no harm.
Follow and unfollow events are checked against the graph first, so one
that arrives after the opposite change (redelivered, or out of order)
doesn't undo it.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass

from services.common.kernel.events import Event, TweetCreated, TweetDeleted, UserDeleted, UserFollowed, UserUnfollowed
from services.common.kernel.pagination import PageRequest
from services.common.messaging.outbox.store import QueueStats
from services.fanout.domain import Action, Chunk
from services.fanout.ports import AuthorTweets, ChunkQueue, EventQueue, FollowerSource, TimelineWriter


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
        batch_size: int,
        capacity: int,
        chunks: ChunkQueue | None = None,
        queue: EventQueue | None = None,
    ):
        self._timelines = timelines
        self._chunks = chunks
        self._queue = queue
        self._followers = followers
        self._tweets = tweets
        self._batch_size = batch_size
        self._capacity = capacity
        self.counters = FanoutCounters()
        self._handlers = {
            TweetCreated: self._on_tweet_created,
            TweetDeleted: self._on_tweet_deleted,
            UserFollowed: self._on_followed,
            UserUnfollowed: self._on_unfollowed,
            UserDeleted: self._on_user_deleted,
        }

    async def handle(self, event: Event) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            await handler(event)
            self.counters.events_processed += 1

    async def queue_stats(self) -> QueueStats:
        return await self._queue.stats() if self._queue else QueueStats(0, 0.0, 0)

    async def _on_tweet_created(self, event: TweetCreated) -> None:
        if await self._followers.is_celebrity(event.author_id):
            self.counters.celebrity_tweets_skipped += 1
            return
        await self._fan_out(Action.ADD, event.tweet_id, event.author_id)

    async def _on_tweet_deleted(self, event: TweetDeleted) -> None:
        await self._fan_out(Action.REMOVE, event.tweet_id, event.author_id)

    async def apply(self, chunk: Chunk) -> None:
        """Writes one chunk to the timelines: the idempotent unit of fan-out work."""
        write = self._timelines.add if chunk.action is Action.ADD else self._timelines.remove
        self._count(await write(chunk.follower_ids, [chunk.tweet_id]))

    async def _fan_out(self, action: Action, tweet_id: int, author_id: int) -> None:
        async for batch in self._follower_batches(author_id):
            chunk = Chunk(action, tweet_id, tuple(batch))
            await (self._chunks.submit(chunk) if self._chunks else self.apply(chunk))

    async def _on_followed(self, event: UserFollowed) -> None:
        if await self._followers.is_celebrity(event.followee_id):
            return
        if not await self._followers.is_following(event.follower_id, event.followee_id):
            return  # unfollowed since: the unfollow's own event removes nothing that this would add
        ids = await self._tweets.recent_ids([event.followee_id], None, self._capacity)
        self._count(await self._timelines.add([event.follower_id], ids))

    async def _on_unfollowed(self, event: UserUnfollowed) -> None:
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

    async def _follower_batches(self, author_id: int) -> AsyncIterator[list[int]]:
        cursor = None
        while True:
            page = await self._followers.follower_ids(author_id, PageRequest(self._batch_size, cursor))
            if page.items:
                yield page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor
