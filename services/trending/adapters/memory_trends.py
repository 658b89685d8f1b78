"""Trend counts in process memory (the embedded default): the same contract as the Redis store.

Per tag: each author's latest minute of use and each tweet's minute; per
tweet its record (author, minute, tags), and per deleted tweet the minute
it was deleted (a tombstone, forgotten with the retention). The lease is
the store's own, with the injected clock.
"""

from collections.abc import Callable, Sequence

from services.trending.domain import MINUTE_MS, Ranking, TagCounts, Use


class InMemoryTrendStore:
    def __init__(self, clock: Callable[[], int]):
        self._clock = clock
        self._tweets: dict[int, Use] = {}
        self._gone: dict[int, int] = {}  # deleted tweet -> the minute it was deleted
        self._by_author: dict[int, set[int]] = {}
        self._left: dict[int, int] = {}  # deleted account -> the minute it left
        self._authors: dict[str, dict[int, int]] = {}  # tag -> author -> latest minute
        self._uses: dict[str, dict[int, int]] = {}  # tag -> tweet -> minute
        self._latest: dict[str, int] = {}  # tag -> latest minute of use
        self._baselines: dict[int, dict[int, dict[str, int]]] = {}
        self._rankings: dict[int, Ranking] = {}
        self._wanted: dict[int, int] = {}
        self._lease: tuple[str, int] | None = None

    async def add(self, use: Use, trim_before_minute: int) -> bool:
        if use.tweet_id in self._tweets or use.tweet_id in self._gone or use.author_id in self._left:
            return False
        self._tweets[use.tweet_id] = use
        self._by_author.setdefault(use.author_id, set()).add(use.tweet_id)
        for tag in use.tags:
            authors = self._authors.setdefault(tag, {})
            authors[use.author_id] = max(authors.get(use.author_id, use.minute), use.minute)
            self._uses.setdefault(tag, {})[use.tweet_id] = use.minute
            self._latest[tag] = max(self._latest.get(tag, use.minute), use.minute)
            self._trim(tag, trim_before_minute)
        return True

    def _trim(self, tag: str, before: int) -> None:
        for table in (self._authors[tag], self._uses[tag]):
            for key in [k for k, minute in table.items() if minute < before]:
                del table[key]

    async def remove_tweet(self, tweet_id: int, author_id: int) -> None:
        use = self._tweets.pop(tweet_id, None)
        self._gone[tweet_id] = self._clock() // MINUTE_MS
        if use is None:
            return
        self._by_author.get(use.author_id, set()).discard(tweet_id)
        others = [u for t in self._by_author.get(use.author_id, ()) if (u := self._tweets.get(t))]
        for tag in use.tags:
            self._uses.get(tag, {}).pop(tweet_id, None)
            latest = max((u.minute for u in others if tag in u.tags), default=None)
            authors = self._authors.get(tag, {})
            if latest is None:
                authors.pop(use.author_id, None)
            elif use.author_id in authors:
                authors[use.author_id] = latest

    async def remove_author(self, author_id: int) -> None:
        self._left[author_id] = self._clock() // MINUTE_MS
        for tweet_id in list(self._by_author.get(author_id, ())):
            await self.remove_tweet(tweet_id, author_id)
        self._by_author.pop(author_id, None)

    async def active_tags(self, since_minute: int) -> list[str]:
        return [tag for tag, latest in self._latest.items() if latest >= since_minute]

    async def counts(self, tags: Sequence[str], since_minute: int) -> list[TagCounts]:
        return [TagCounts(self._count(self._authors, tag, since_minute), self._count(self._uses, tag, since_minute)) for tag in tags]

    @staticmethod
    def _count(table: dict[str, dict[int, int]], tag: str, since: int, until: float = float("inf")) -> int:
        return sum(1 for minute in table.get(tag, {}).values() if since <= minute <= until)

    async def authors_last_seen(self, tags: Sequence[str], first_minute: int, last_minute: int) -> list[int]:
        return [self._count(self._authors, tag, first_minute, last_minute) for tag in tags]

    async def expire(self, before_minute: int) -> None:
        for tag in [t for t, latest in self._latest.items() if latest < before_minute]:
            del self._uses[tag], self._authors[tag], self._latest[tag]
        for tweet_id in [t for t, use in self._tweets.items() if use.minute < before_minute]:
            use = self._tweets.pop(tweet_id)
            self._by_author.get(use.author_id, set()).discard(tweet_id)
            if not self._by_author.get(use.author_id, True):
                del self._by_author[use.author_id]
        for table in (self._gone, self._left):
            for key in [k for k, minute in table.items() if minute < before_minute]:
                del table[key]

    async def save_baseline(self, window: int, minute: int, authors: dict[str, int], keep_from_minute: int) -> None:
        kept = self._baselines.setdefault(window, {})
        kept[minute] = dict(authors)
        for old in [m for m in kept if m < keep_from_minute]:
            del kept[old]

    async def baseline_minutes(self, window: int) -> list[int]:
        return sorted(self._baselines.get(window, {}))

    async def baseline(self, window: int, minute: int) -> dict[str, int]:
        return dict(self._baselines.get(window, {}).get(minute, {}))

    async def publish(self, ranking: Ranking) -> None:
        self._rankings[ranking.window_minutes] = ranking

    async def ranking(self, window: int) -> Ranking | None:
        return self._rankings.get(window)

    async def want_window(self, window: int, now_ms: int) -> None:
        self._wanted[window] = now_ms

    async def wanted_windows(self, since_ms: int) -> list[int]:
        return [w for w, at in sorted(self._wanted.items(), key=lambda item: -item[1]) if at >= since_ms]

    async def acquire(self, owner: str, lease_ms: int) -> bool:
        now = self._clock()
        if self._lease is not None and self._lease[0] != owner and self._lease[1] > now:
            return False
        self._lease = (owner, now + lease_ms)
        return True

    async def release(self, owner: str) -> None:
        if self._lease is not None and self._lease[0] == owner:
            self._lease = None

    async def close(self) -> None:
        """Nothing to release."""
