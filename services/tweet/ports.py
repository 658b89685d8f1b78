"""What the tweet domain needs from storage and from the graph."""

from collections.abc import Sequence
from typing import Protocol

from services.common.kernel.events import Event
from services.common.kernel.pagination import Page, PageRequest
from services.common.visibility.rules import HiddenAccounts
from services.tweet.domain import Author, Shown, Tweet


class UserDirectory(Protocol):
    """The accounts behind tweets, as the graph holds them."""

    async def batch_get(self, user_ids: Sequence[int]) -> list[Author]: ...

    async def require_account(self, user_id: int) -> None:
        """Raises Unauthenticated when the user has no account."""

    async def acting_author(self, user_id: int) -> Author:
        """The acting user, as their tweets show them; raises Unauthenticated when they have no account.
        May answer from what it kept of the user a short while."""

    def forget(self, user_id: int) -> None:
        """The account is deleted, or crossed the celebrity line: nothing kept of it answers again."""


class TweetRepository(Protocol):
    async def add(self, tweet: Tweet, events: list[Event]) -> None:
        """Stores a tweet, bumps its parent's reply or retweet count, and records events.

        Raises AlreadyExists when the author already retweeted the original."""

    async def get_many(self, tweet_ids: Sequence[int]) -> dict[int, Tweet]:
        """The visible (not deleted) tweets among the ids."""

    async def delete(self, tweet: Tweet, events: list[Event]) -> bool:
        """Marks a tweet deleted, fixes its parent's counts, and records events."""

    async def delete_all_by(self, author_id: int) -> list[Tweet]:
        """Deletes an author's tweets and likes, with counts and events; returns the tweets."""

    async def by_author(self, author_id: int, page: PageRequest, stale_ok: bool = False) -> Page[int]:
        """stale_ok: a read replica may answer (the page may miss the newest writes)."""

    async def replies_to(self, tweet_id: int, page: PageRequest) -> Page[int]: ...

    async def recent_ids(
        self, author_ids: Sequence[int], before: int | None, limit: int, include_deleted: bool = False
    ) -> list[int]:
        """Ids of the authors' tweets below `before`, newest first."""

    async def scan(self, after: int, limit: int) -> list[Tweet]:
        """Visible tweets with text (not retweets) with ids above `after`, oldest first."""

    async def like(self, tweet_id: int, user_id: int, events: list[Event]) -> bool: ...

    async def unlike(self, tweet_id: int, user_id: int, events: list[Event]) -> bool: ...

    async def liked_by(self, user_id: int) -> list[int]:
        """Every tweet the user likes."""

    async def liked_among(self, user_id: int, tweet_ids: Sequence[int]) -> set[int]: ...

    async def retweet_of(self, user_id: int, original_id: int) -> Tweet | None: ...

    async def retweeted_among(self, user_id: int, tweet_ids: Sequence[int]) -> set[int]: ...


class ReadCopies(Protocol):
    """Copies of tweets that readers keep for fast reads (the Timeline service's), told of each change
    once it commits, so the writer's next read shows it. Best effort: a copy also expires on its own."""

    async def posted(self, author_id: int, tweet_id: int) -> None: ...

    async def deleted(self, tweet_ids: Sequence[int]) -> None: ...

    async def counts_changed(self, tweet_ids: Sequence[int]) -> None: ...

    async def viewer_changed(self, viewer_id: int) -> None: ...


class KeptPages(Protocol):
    """Authors' tweets as viewers see them, from the copies readers keep (the Timeline service's read model),
    which this service fills on a miss: a user timeline's page with no query and no call to the graph."""

    async def by_author(self, viewer_id: int | None, author_id: int, page: PageRequest, build: bool) -> Page[Shown] | None:
        """The author's page, as `by_author` and hydration would give it; None when the author's recent ids
        are not kept and `build` is False (else they are built from this service first), or when the
        copies can't be reached."""


class HiddenFrom(Protocol):
    """The accounts hidden from a viewer (services/common/visibility gives one, kept in copies)."""

    async def hidden_from(self, viewer_id: int | None) -> HiddenAccounts: ...


class RateLimiter(Protocol):
    """Per-user limits on posting (replies and retweets too) and liking (services/common/limits gives one, in memory or shared through Redis)."""

    async def take(self, user_id: int, action: str) -> None:
        """Takes one of the user's tokens for the action; raises ResourceExhausted, with when to retry, when none is left."""
