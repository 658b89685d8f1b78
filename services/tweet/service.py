"""Tweet use cases: posting, reading, liking, retweeting and deleting."""

from collections.abc import Sequence

from services.common.kernel.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied
from services.common.kernel.events import CelebrityChanged, Event, TweetCreated, TweetDeleted, TweetLiked, TweetUnliked, UserDeleted
from services.common.kernel.ids import IdSource
from services.common.limits.rates import LIKE, POST
from services.common.runtime.best_effort import best_effort
from services.tweet.domain import MAX_BATCH_TWEETS, MAX_RECENT_AUTHORS, MAX_RECENT_IDS, MAX_SCAN_TWEETS, Tweet, TweetView, valid_text, valid_tweet_id
from services.tweet.hydration import Hydrator
from services.tweet.ports import HiddenFrom, KeptPages, RateLimiter, ReadCopies, TweetRepository, UserDirectory
from services.tweet.reading import VisibleLists


class TweetService(VisibleLists):
    """Posts (replies and retweets among them) and likes take a token of the actor's limit
    once the request is known to be valid, before anything is written.

    `kept`, set by the wiring when readers keep copies, serves user timelines from them (it reads
    through this service on a miss, so it is joined after construction)."""

    kept: KeptPages | None = None

    def __init__(
        self, repository: TweetRepository, users: UserDirectory, ids: IdSource, copies: ReadCopies | None = None, *,
        limiter: RateLimiter, hidden: HiddenFrom,
    ):
        self._repository = repository
        self._hidden = hidden
        self._limiter = limiter
        self._copies = copies
        self._users = users
        self._ids = ids
        self._hydrator = Hydrator(repository, users)

    async def create(self, actor_id: int, text: str, in_reply_to_tweet_id: int = 0) -> TweetView:
        text = valid_text(text)
        author = await self._users.acting_author(actor_id)
        parent_id = 0
        if in_reply_to_tweet_id:
            parent_id = (await self._visible(in_reply_to_tweet_id, "in_reply_to_tweet_id")).original_id
        await self._limiter.take(actor_id, POST)
        tweet = Tweet(await self._ids.next_id(), actor_id, text, in_reply_to_tweet_id=parent_id)
        created = TweetCreated(tweet.tweet_id, actor_id, text, in_reply_to_tweet_id=parent_id, author_below_line=not author.celebrity)
        await self._repository.add(tweet, [created])
        await self._tell(lambda copies: copies.posted(actor_id, tweet.tweet_id))
        if parent_id:
            await self._tell(lambda copies: copies.counts_changed([parent_id]))
        return TweetView(tweet, author)  # as just written: no counts yet, nothing liked, nothing to read back

    async def get(self, viewer_id: int | None, tweet_id: int) -> TweetView:
        views = await self._hydrator.views(viewer_id, [valid_tweet_id(tweet_id)])
        if not views:
            raise NotFound(f"tweet {tweet_id} does not exist or was deleted", field="tweet_id")
        return views[0]

    async def batch_get(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[TweetView]:
        if len(tweet_ids) > MAX_BATCH_TWEETS:
            raise InvalidArgument(
                f"tweet_ids has {len(tweet_ids)} ids; ask for at most {MAX_BATCH_TWEETS} at a time", field="tweet_ids"
            )
        return await self._hydrator.views(viewer_id, tweet_ids)

    async def delete(self, actor_id: int, tweet_id: int) -> None:
        tweet = await self._visible(tweet_id)
        if tweet.author_id != actor_id:
            raise PermissionDenied(f"tweet {tweet_id} belongs to user {tweet.author_id}; only its author may delete it")
        await self._repository.delete(tweet, [TweetDeleted(tweet.tweet_id, tweet.author_id)])
        await self._tell(lambda copies: copies.deleted([tweet.tweet_id]))
        if tweet.in_reply_to_tweet_id:
            await self._tell(lambda copies: copies.counts_changed([tweet.in_reply_to_tweet_id]))
        if tweet.retweet_of_tweet_id:  # as undoing the retweet does: the original's count, the actor's state
            await self._acted(actor_id, tweet.retweet_of_tweet_id)

    async def like(self, actor_id: int, tweet_id: int) -> TweetView:
        await self._users.require_account(actor_id)
        original_id = (await self._visible(tweet_id)).original_id
        await self._limiter.take(actor_id, LIKE)
        await self._repository.like(original_id, actor_id, [TweetLiked(original_id, actor_id)])
        await self._acted(actor_id, original_id)
        return await self.get(actor_id, original_id)

    async def unlike(self, actor_id: int, tweet_id: int) -> TweetView:
        original_id = (await self._visible(tweet_id)).original_id
        await self._repository.unlike(original_id, actor_id, [TweetUnliked(original_id, actor_id)])
        await self._acted(actor_id, original_id)
        return await self.get(actor_id, original_id)

    async def retweet(self, actor_id: int, tweet_id: int) -> TweetView:
        await self._users.require_account(actor_id)
        original_id = (await self._visible(tweet_id)).original_id
        if await self._repository.retweet_of(actor_id, original_id):
            raise AlreadyExists(f"you already retweeted tweet {original_id}; undo it first to retweet again")
        await self._limiter.take(actor_id, POST)
        retweet = Tweet(await self._ids.next_id(), actor_id, "", retweet_of_tweet_id=original_id)
        await self._repository.add(retweet, [TweetCreated(retweet.tweet_id, actor_id, retweet_of_tweet_id=original_id)])
        await self._tell(lambda copies: copies.posted(actor_id, retweet.tweet_id))
        await self._acted(actor_id, original_id)
        return await self.get(actor_id, retweet.tweet_id)

    async def undo_retweet(self, actor_id: int, tweet_id: int) -> None:
        original_id = (await self._visible(tweet_id)).original_id
        retweet = await self._repository.retweet_of(actor_id, original_id)
        if retweet is None:
            raise NotFound(f"you have not retweeted tweet {original_id}", field="tweet_id")
        await self._repository.delete(retweet, [TweetDeleted(retweet.tweet_id, actor_id)])
        await self._tell(lambda copies: copies.deleted([retweet.tweet_id]))
        await self._acted(actor_id, original_id)

    async def hydrate(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[TweetView]:
        """Batch hydration for other services (timelines, search); no size cap."""
        return await self._hydrator.views(viewer_id, tweet_ids)

    async def recent_ids(
        self, author_ids: Sequence[int], before: int | None, limit: int, include_deleted: bool = False
    ) -> list[int]:
        """Ids of the authors' tweets below `before`, newest first; deleted ones too when asked."""
        if len(author_ids) > MAX_RECENT_AUTHORS:
            raise InvalidArgument(f"author_ids has {len(author_ids)} ids; at most {MAX_RECENT_AUTHORS}", field="author_ids")
        if not 1 <= limit <= MAX_RECENT_IDS:
            raise InvalidArgument(f"limit is {limit}; it must be 1 to {MAX_RECENT_IDS}", field="limit")
        if not author_ids:
            return []
        return await self._repository.recent_ids(author_ids, before, limit, include_deleted)

    async def ids_ever_posted_by(self, author_id: int, limit: int) -> list[int]:
        """Recent ids of an author, deleted ones too: what a timeline may still hold."""
        return await self.recent_ids([author_id], None, limit, include_deleted=True)

    async def scan(self, after: int, limit: int) -> list[Tweet]:
        """Stored tweets with text, oldest first, above `after`: what a search index is rebuilt from."""
        if not 1 <= limit <= MAX_SCAN_TWEETS:
            raise InvalidArgument(f"limit is {limit}; it must be 1 to {MAX_SCAN_TWEETS}", field="limit")
        return await self._repository.scan(after, limit)

    async def handle(self, event: Event) -> None:
        """Consumes events from other services: a deleted account takes its tweets and likes along; an author
        who crossed the celebrity line is looked up again as they next post (their tweets say which side)."""
        if isinstance(event, (CelebrityChanged, UserDeleted)):
            self._users.forget(event.user_id)  # their next post asks the graph, which knows their side, or that they are gone
        if isinstance(event, UserDeleted):  # a deleted account likes nothing more, so its likes are known first
            liked = await self._repository.liked_by(event.user_id)
            removed = await self._repository.delete_all_by(event.user_id)
            await self._tell(lambda copies: copies.deleted([tweet.tweet_id for tweet in removed]))
            counted = {*liked, *(parent for tweet in removed for parent in tweet.parent_ids)} - {t.tweet_id for t in removed}
            await self._tell(lambda copies: copies.counts_changed(sorted(counted)))  # their likes, replies, retweets went

    async def _acted(self, actor_id: int, original_id: int) -> None:
        """A like, unlike, retweet or undo changed the original's counts and the actor's state on it."""
        await self._tell(lambda copies: copies.counts_changed([original_id]))
        await self._tell(lambda copies: copies.viewer_changed(actor_id))

    async def _tell(self, call) -> None:
        """Tells the read copies of a committed change (`call` takes them); the change stands either way."""
        if self._copies is not None:
            await best_effort(call(self._copies), "tell the read copies of a tweet change")

    async def _visible(self, tweet_id: int, field: str = "tweet_id") -> Tweet:
        tweet = (await self._repository.get_many([valid_tweet_id(tweet_id, field)])).get(tweet_id)
        if tweet is None:
            raise NotFound(f"tweet {tweet_id} does not exist or was deleted", field=field)
        return tweet

    async def _require_user(self, user_id: int) -> None:
        if user_id <= 0 or not await self._users.batch_get([user_id]):
            raise NotFound(f"no user has id {user_id}", field="user_id")
