"""The Tweet service's lists (a user's tweets, replies), with what is hidden from the viewer left out (a part of TweetService).

Visibility is services/common/visibility's: on a user's page and in replies
the accounts blocked either way are hidden (muting hides nothing here),
and the page of a user blocked either way is empty. A page filtered down is
filled again from after where it stopped, up to that module's bound.
"""

from services.common.kernel.pagination import Page, PageRequest
from services.common.visibility.pages import full_page
from services.common.visibility.rules import Surface
from services.tweet.domain import Shown, TweetView


class _NotKept(Exception):
    """The kept copies could not serve a part of the page: the whole page is read from storage."""


class VisibleLists:
    """Needs _repository, _hydrator, _hidden, kept, _require_user and _visible from TweetService."""

    async def user_tweets(self, viewer_id: int | None, user_id: int, page: PageRequest) -> Page[TweetView]:
        await self._require_user(user_id)
        hidden = await self._hidden.hidden_from(viewer_id)
        if not hidden.shows_profile_of(user_id):
            return Page([], None)

        async def fetch(part: PageRequest) -> Page[TweetView]:
            ids = await self._repository.by_author(user_id, part, stale_ok=viewer_id != user_id)  # read-your-writes for the author
            return Page(await self._hydrator.views(viewer_id, ids.items), ids.next_cursor)

        return await full_page(fetch, page, lambda view: hidden.shows(Surface.PROFILE, view.authors))

    async def kept_user_tweets(self, viewer_id: int | None, user_id: int, page: PageRequest) -> Page[Shown] | None:
        """The page `user_tweets` gives, from the kept copies; None when there are none, or they can't serve
        it now. An author whose recent ids are not kept is checked before they are built, and so is one
        with nothing to show."""
        if self.kept is None:
            return None
        hidden = await self._hidden.hidden_from(viewer_id)
        if not hidden.shows_profile_of(user_id):  # blocked either way: a known account, nothing to show
            return Page([], None)

        async def fetch(part: PageRequest) -> Page[Shown]:
            found = await self._kept_part(viewer_id, user_id, part)
            if found is None:
                raise _NotKept
            return found

        try:
            return await full_page(fetch, page, lambda shown: hidden.shows(Surface.PROFILE, shown.authors))
        except _NotKept:
            return None

    async def replies(self, viewer_id: int | None, tweet_id: int, page: PageRequest) -> Page[TweetView]:
        tweet = await self._visible(tweet_id)
        hidden = await self._hidden.hidden_from(viewer_id)

        async def fetch(part: PageRequest) -> Page[TweetView]:
            ids = await self._repository.replies_to(tweet.original_id, part)
            return Page(await self._hydrator.views(viewer_id, ids.items), ids.next_cursor)

        return await full_page(fetch, page, lambda view: hidden.shows(Surface.REPLIES, view.authors))

    async def _kept_part(self, viewer_id: int | None, user_id: int, page: PageRequest) -> Page[Shown] | None:
        found = await self.kept.by_author(viewer_id, user_id, page, build=False) if user_id > 0 else None
        if found is None or not found.items:
            await self._require_user(user_id)
        if found is None:
            found = await self.kept.by_author(viewer_id, user_id, page, build=True)
        return found
