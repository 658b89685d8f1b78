"""Which events notify whom: each event becomes changes to the store (activities to add, actions taken back).

Mention (`@handle` in a tweet), reply, like, retweet and follow. Never for
your own action; never from an account hidden from the recipient (blocked
either way, or muted: visibility's cached lookup, shared with every read path).
"""

from collections.abc import Callable

from services.common.kernel.events import Event, TweetCreated, TweetDeleted, TweetLiked, TweetUnliked, UserDeleted, UserFollowed, UserUnfollowed
from services.common.kernel.ids import timestamp_ms
from services.common.kernel.mentions import mentions_in
from services.common.visibility.rules import HiddenAccounts
from services.notification.domain import Activity, Change, Kind, TweetGone, Undo, UserGone, hides
from services.notification.ports import HiddenFrom, TweetAuthors, UserHandles

REMEMBERED = 100_000  # tweet authors kept, at most (a tweet's author never changes)


class Rules:
    def __init__(self, authors: TweetAuthors, handles: UserHandles, hidden: HiddenFrom, clock: Callable[[], int]):
        self._authors, self._handles, self._hidden, self._clock = authors, handles, hidden, clock
        self._author_of: dict[int, int] = {}
        self._rules = {
            TweetCreated: self._created, TweetDeleted: self._deleted, TweetLiked: self._liked, TweetUnliked: self._unliked,
            UserFollowed: self._followed, UserUnfollowed: self._unfollowed, UserDeleted: self._user_deleted,
        }  # fmt: skip

    async def changes(self, event: Event) -> list[Change]:
        rule = self._rules.get(type(event))
        return [c for c in await rule(event) if c is not None] if rule is not None else []

    async def _created(self, e: TweetCreated) -> list[Change | None]:
        at = timestamp_ms(e.tweet_id)
        if e.retweet_of_tweet_id:
            return [await self._tell(await self._author(e.retweet_of_tweet_id), Kind.RETWEET, e.retweet_of_tweet_id, e.author_id, e.tweet_id, at)]
        replied_to = await self._author(e.in_reply_to_tweet_id) if e.in_reply_to_tweet_id else None
        changes = [await self._tell(replied_to, Kind.REPLY, e.in_reply_to_tweet_id, e.author_id, e.tweet_id, at)]
        mentioned = mentions_in(e.text)
        for user_id in await self._handles.user_ids(mentioned) if mentioned else []:
            if user_id != replied_to:  # a reply's leading @handle is no mention of its own
                changes.append(await self._tell(user_id, Kind.MENTION, e.tweet_id, e.author_id, e.tweet_id, at))
        return changes

    async def _deleted(self, e: TweetDeleted) -> list[Change | None]:
        return [TweetGone(e.tweet_id)]

    async def _liked(self, e: TweetLiked) -> list[Change | None]:
        return [await self._tell(await self._author(e.tweet_id), Kind.LIKE, e.tweet_id, e.user_id, 0, self._clock())]

    async def _unliked(self, e: TweetUnliked) -> list[Change | None]:
        return [await self._take_back(await self._author(e.tweet_id), Kind.LIKE, e.tweet_id, e.user_id)]

    async def _followed(self, e: UserFollowed) -> list[Change | None]:
        return [await self._tell(e.followee_id, Kind.FOLLOW, 0, e.follower_id, 0, self._clock())]

    async def _unfollowed(self, e: UserUnfollowed) -> list[Change | None]:
        return [await self._take_back(e.followee_id, Kind.FOLLOW, 0, e.follower_id)]

    async def _user_deleted(self, e: UserDeleted) -> list[Change | None]:
        return [UserGone(e.user_id)]

    async def _tell(self, recipient_id: int | None, kind: Kind, subject_id: int, actor_id: int, cause_id: int, at: int) -> Activity | None:
        if recipient_id is None or recipient_id == actor_id or hides(await self.hidden_from(recipient_id), actor_id):
            return None
        return Activity(recipient_id, kind, subject_id, actor_id, cause_id, at)

    async def _take_back(self, recipient_id: int | None, kind: Kind, subject_id: int, actor_id: int) -> Undo | None:
        """A hidden actor's action was not counted (unless it came before the block or mute): only a kept one is taken out."""
        if recipient_id is None or recipient_id == actor_id:
            return None
        return Undo(recipient_id, kind, subject_id, actor_id, counted=not hides(await self.hidden_from(recipient_id), actor_id))

    async def hidden_from(self, user_id: int) -> HiddenAccounts:
        return await self._hidden.hidden_from(user_id)

    async def _author(self, tweet_id: int) -> int | None:
        author = self._author_of.get(tweet_id)
        if author is None and (author := await self._authors.author_of(tweet_id)) is not None:
            if len(self._author_of) >= REMEMBERED:
                self._author_of.clear()
            self._author_of[tweet_id] = author
        return author
