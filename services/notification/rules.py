"""Which events notify whom: an event becomes activities to add, or actions to take back.

Mention (`@handle` in a tweet), reply, like, retweet and follow. Never for
your own action; never from an account hidden from the recipient (blocked
either way, or muted: asked of Graph, remembered for HIDDEN_TTL_MS).
"""

from collections.abc import Callable

from services.common.kernel.events import Event, TweetCreated, TweetDeleted, TweetLiked, TweetUnliked, UserDeleted, UserFollowed, UserUnfollowed
from services.common.kernel.ids import timestamp_ms
from services.common.kernel.mentions import mentions_in
from services.notification.domain import Activity, Hidden, Kind, Undo
from services.notification.ports import HiddenAccounts, NotificationStore, TweetAuthors, UserHandles

HIDDEN_TTL_MS = 2_000  # a block or mute reaches new writes within this; reads filter at once
AUTHORS_KEPT = 100_000  # tweet authors remembered (a tweet's author never changes)


class Rules:
    def __init__(self, store: NotificationStore, authors: TweetAuthors, handles: UserHandles, hidden: HiddenAccounts,
                 window_ms: int, clock: Callable[[], int]):  # fmt: skip
        self._store, self._authors, self._handles, self._hidden = store, authors, handles, hidden
        self._window_ms, self._clock = window_ms, clock
        self._hidden_seen: dict[int, tuple[int, Hidden]] = {}
        self._author_of: dict[int, int] = {}
        self._handlers = {
            TweetCreated: self._created, TweetDeleted: self._deleted, TweetLiked: self._liked, TweetUnliked: self._unliked,
            UserFollowed: self._followed, UserUnfollowed: self._unfollowed, UserDeleted: self._user_deleted,
        }  # fmt: skip

    async def handle(self, event: Event) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            await handler(event)

    async def _created(self, e: TweetCreated) -> None:
        at = timestamp_ms(e.tweet_id)
        if e.retweet_of_tweet_id:
            await self._tell(await self._author(e.retweet_of_tweet_id), Kind.RETWEET, e.retweet_of_tweet_id, e.author_id, e.tweet_id, at)
            return
        replied_to = await self._author(e.in_reply_to_tweet_id) if e.in_reply_to_tweet_id else None
        if replied_to is not None:
            await self._tell(replied_to, Kind.REPLY, e.in_reply_to_tweet_id, e.author_id, e.tweet_id, at)
        mentioned = mentions_in(e.text)
        for user_id in await self._handles.user_ids(mentioned) if mentioned else []:
            if user_id != replied_to:  # a reply's leading @handle is no mention of its own
                await self._tell(user_id, Kind.MENTION, e.tweet_id, e.author_id, e.tweet_id, at)

    async def _deleted(self, e: TweetDeleted) -> None:
        await self._store.remove_about(e.tweet_id)
        await self._store.remove_caused_by(e.tweet_id)

    async def _liked(self, e: TweetLiked) -> None:
        await self._tell(await self._author(e.tweet_id), Kind.LIKE, e.tweet_id, e.user_id, 0, self._clock())

    async def _unliked(self, e: TweetUnliked) -> None:
        await self._take_back(await self._author(e.tweet_id), Kind.LIKE, e.tweet_id, e.user_id)

    async def _followed(self, e: UserFollowed) -> None:
        await self._tell(e.followee_id, Kind.FOLLOW, 0, e.follower_id, 0, self._clock())

    async def _unfollowed(self, e: UserUnfollowed) -> None:
        await self._take_back(e.followee_id, Kind.FOLLOW, 0, e.follower_id)

    async def _user_deleted(self, e: UserDeleted) -> None:
        await self._store.remove_user(e.user_id)

    async def _tell(self, recipient_id: int | None, kind: Kind, subject_id: int, actor_id: int, cause_id: int, at: int) -> None:
        if recipient_id is None or recipient_id == actor_id:
            return
        if (await self.hidden_from(recipient_id)).hides(actor_id):
            return
        await self._store.add(Activity(recipient_id, kind, subject_id, actor_id, cause_id, at), self._window_ms)

    async def _take_back(self, recipient_id: int | None, kind: Kind, subject_id: int, actor_id: int) -> None:
        """A hidden actor's action was not counted (unless it came before the block or mute): only a kept one is taken out."""
        if recipient_id is None or recipient_id == actor_id:
            return
        counted = not (await self.hidden_from(recipient_id)).hides(actor_id)
        await self._store.undo(Undo(recipient_id, kind, subject_id, actor_id), beyond_kept=counted)

    async def hidden_from(self, user_id: int) -> Hidden:
        now = self._clock()
        seen = self._hidden_seen.get(user_id)
        if seen is not None and now - seen[0] < HIDDEN_TTL_MS:
            return seen[1]
        hidden = await self._hidden.hidden_from(user_id)
        self._hidden_seen[user_id] = (now, hidden)
        if len(self._hidden_seen) > AUTHORS_KEPT:
            self._hidden_seen.clear()
        return hidden

    async def _author(self, tweet_id: int) -> int | None:
        author = self._author_of.get(tweet_id)
        if author is None:
            author = await self._authors.author_of(tweet_id)
            if author is not None:
                if len(self._author_of) >= AUTHORS_KEPT:
                    self._author_of.clear()
                self._author_of[tweet_id] = author
        return author
