"""Turns tweet ids into TweetViews in a fixed number of batch reads, whatever the page size."""

from collections.abc import Sequence

from services.common.runtime.concurrency import concurrently
from services.tweet.domain import Author, Tweet, TweetView
from services.tweet.ports import TweetRepository, UserDirectory


class Hydrator:
    def __init__(self, repository: TweetRepository, users: UserDirectory):
        self._repository = repository
        self._users = users

    async def views(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[TweetView]:
        """The visible tweets among the ids, in their order; deleted tweets and authors are left out."""
        tweets = await self._repository.get_many(tweet_ids)
        originals = await self._repository.get_many([t.retweet_of_tweet_id for t in tweets.values() if t.retweet_of_tweet_id])
        shown = {**tweets, **originals}
        users, (liked, retweeted) = await concurrently(
            self._users.batch_get(list({t.author_id for t in shown.values()})), self._viewer_state(viewer_id, list(shown))
        )
        state = _ViewerState({u.user_id: u for u in users}, liked, retweeted)
        views = (state.view(tweets[i], originals) for i in dict.fromkeys(tweet_ids) if i in tweets)
        return [view for view in views if view is not None]

    async def _viewer_state(self, viewer_id: int | None, tweet_ids: list[int]) -> tuple[set[int], set[int]]:
        if viewer_id is None or not tweet_ids:
            return set(), set()
        liked, retweeted = await concurrently(
            self._repository.liked_among(viewer_id, tweet_ids), self._repository.retweeted_among(viewer_id, tweet_ids)
        )
        return liked, retweeted


class _ViewerState:
    def __init__(self, authors: dict[int, Author], liked: set[int], retweeted: set[int]):
        self.authors, self.liked, self.retweeted = authors, liked, retweeted

    def view(self, tweet: Tweet, originals: dict[int, Tweet]) -> TweetView | None:
        author = self.authors.get(tweet.author_id)
        if author is None:
            return None
        if not tweet.retweet_of_tweet_id:
            return self._single(tweet, author)
        original = originals.get(tweet.retweet_of_tweet_id)
        original_view = self._single(original, self.authors.get(original.author_id)) if original else None
        if original_view is None:
            return None
        return TweetView(tweet, author, original_view, original_view.viewer_liked, original_view.viewer_retweeted)

    def _single(self, tweet: Tweet, author: Author | None) -> TweetView | None:
        if author is None:
            return None
        return TweetView(tweet, author, None, tweet.tweet_id in self.liked, tweet.tweet_id in self.retweeted)
