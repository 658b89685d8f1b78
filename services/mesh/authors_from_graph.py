"""Tweet's UserDirectory over the Graph service: the acting authors of posts, looked up together and kept a while."""

from collections.abc import Sequence

from services.common.runtime.coalescing import Coalescer
from services.common.runtime.lapsing import Lapsing
from services.graph.domain import MAX_BATCH_USERS, User
from services.tweet.domain import Author

KEPT_AUTHOR_SECONDS = 60.0  # well inside the minutes an author's counts on their tweets may lag
KEPT_AUTHORS = 100_000


class AuthorsFromGraph:
    """Tweet's UserDirectory, from the Graph service (GraphService or RemoteGraph). The acting authors of
    concurrent posts are looked up together, in shared batch calls, and each is kept KEPT_AUTHOR_SECONDS,
    so an author's next posts ask nothing.

    An author is forgotten (`forget`) as the Tweet service handles their crossing of the celebrity line or
    their account's deletion, so their next post asks the graph. Until then, what a kept author leaves
    behind is no more than reads already show: their counts on their tweets lag up to minutes
    (docs/architecture.md); a celebrity flag kept past a crossing (by a Tweet replica that did not handle
    the event) only makes fan-out push once more than needed, or ask the graph; and a deleted account's
    tokens are refused by every server once the Account service has marked it, as for any other call."""

    def __init__(self, graph):
        self._graph = graph
        self._acting = Coalescer(self._users_by_id, MAX_BATCH_USERS)
        self._kept: Lapsing[int, Author] = Lapsing(KEPT_AUTHORS)
        self._forgotten: Lapsing[int, bool] = Lapsing(KEPT_AUTHORS)  # a minute after a forget, nothing of them is kept (nor
        # what a lookup in flight at the forget brings back)

    async def batch_get(self, user_ids: Sequence[int]) -> list[Author]:
        return [_author(user) for user in await self._graph.batch_get(user_ids)]

    async def require_account(self, user_id: int) -> None:
        await self._graph.require_account(user_id)

    async def acting_author(self, user_id: int) -> Author:
        if (kept := self._kept.get(user_id)) is not None:
            return kept
        user = await self._acting.get(user_id)
        if user is None:
            await self._graph.require_account(user_id)  # raises, in the graph's own words
        author = _author(user)
        if self._forgotten.get(user_id) is None:
            self._kept.put(user_id, author, KEPT_AUTHOR_SECONDS)
        return author

    def forget(self, user_id: int) -> None:
        self._kept.forget(user_id)
        self._forgotten.put(user_id, True, KEPT_AUTHOR_SECONDS)

    async def _users_by_id(self, user_ids: Sequence[int]) -> dict[int, User]:
        return {user.user_id: user for user in await self._graph.batch_get(user_ids)}


def _author(user: User) -> Author:
    return Author(
        user.user_id, user.handle, user.display_name, user.created_at, user.follower_count, user.following_count, user.celebrity
    )
