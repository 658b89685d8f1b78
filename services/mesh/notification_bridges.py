"""Notification's ports joined to Graph and Tweet, in process or over gRPC (the rest of the bridges: bridges.py).

Each takes the other service or its remote adapter (both answer the same
calls) and turns its values into Notification's own.
"""

from collections.abc import Sequence

from services.common.kernel.errors import InvalidArgument, NotFound
from services.common.runtime.concurrency import concurrently


class AuthorsOfTweets:
    """Notification's TweetAuthors, from the Tweet service (TweetService or RemoteTweets)."""

    def __init__(self, tweets):
        self._tweets = tweets

    async def author_of(self, tweet_id: int) -> int | None:
        views = await self._tweets.hydrate(None, [tweet_id])
        return views[0].tweet.author_id if views else None


class MentionedFromGraph:
    """Notification's UserHandles, from the Graph service (GraphService or RemoteGraph)."""

    def __init__(self, graph):
        self._graph = graph

    async def user_ids(self, handles: Sequence[str]) -> list[int]:
        found = await concurrently(*(self._user_id(handle) for handle in handles))
        return [user_id for user_id in found if user_id is not None]

    async def _user_id(self, handle: str) -> int | None:
        try:
            return (await self._graph.get_by_handle(handle)).user_id
        except (NotFound, InvalidArgument):
            return None

    async def handles(self, user_ids: Sequence[int]) -> dict[int, str]:
        return {user.user_id: user.handle for user in await self._graph.batch_get(user_ids)} if user_ids else {}
