"""What trending needs: a store of hashtag uses and of the rankings computed from them, shared by every replica."""

from collections.abc import Sequence
from typing import Protocol

from services.trending.domain import Ranking, TagCounts, Use


class TrendStore(Protocol):
    """Hashtag uses by minute, the baselines and rankings computed from them, and the refresh lease.

    Uses older than the retention are forgotten; every write is idempotent."""

    async def add(self, use: Use, trim_before_minute: int) -> bool:
        """Records a use, dropping the tags' uses before trim_before_minute. False (and nothing changes)
        when the tweet was seen or deleted before, or its author's account is deleted (the same use given
        twice at once may answer True to both; it counts once)."""

    async def remove_tweet(self, tweet_id: int, author_id: int) -> None:
        """Takes the tweet's uses out; a tweet not seen yet is remembered as deleted, so it never counts."""

    async def remove_author(self, author_id: int) -> None:
        """Takes every use by the author out, and refuses the author's later ones."""

    async def active_tags(self, since_minute: int) -> list[str]:
        """The tags used at or after since_minute."""

    async def counts(self, tags: Sequence[str], since_minute: int) -> list[TagCounts]:
        """Each tag's distinct authors and tweets at or after since_minute, in the order given."""

    async def authors_last_seen(self, tags: Sequence[str], first_minute: int, last_minute: int) -> list[int]:
        """Each tag's distinct authors whose latest use of it lies in [first_minute, last_minute]."""

    async def expire(self, before_minute: int) -> None:
        """Forgets tags unused since before_minute, with their uses."""

    async def save_baseline(self, window: int, minute: int, authors: dict[str, int], keep_from_minute: int) -> None:
        """Keeps a window's distinct-author counts at a minute, and drops those kept before keep_from_minute."""

    async def baseline_minutes(self, window: int) -> list[int]: ...

    async def baseline(self, window: int, minute: int) -> dict[str, int]: ...

    async def publish(self, ranking: Ranking) -> None: ...

    async def ranking(self, window: int) -> Ranking | None: ...

    async def want_window(self, window: int, now_ms: int) -> None:
        """Notes that a ranking over this window was asked for, so refreshes keep it current."""

    async def wanted_windows(self, since_ms: int) -> list[int]:
        """The windows asked for since then, most recently asked first."""

    async def acquire(self, owner: str, lease_ms: int) -> bool:
        """Takes the refresh lease unless another owner holds it; it lapses after lease_ms."""

    async def release(self, owner: str) -> None:
        """Gives the lease back, if the owner still holds it."""

    async def close(self) -> None: ...
