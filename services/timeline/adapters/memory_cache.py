"""Home timelines in process memory: the embedded default, rebuilt from storage after a restart."""

from bisect import bisect_left, insort
from collections.abc import Sequence


class InMemoryTimelineCache:
    def __init__(self, capacity: int):
        self._capacity = capacity
        self._timelines: dict[int, list[int]] = {}  # ascending, so trimming drops from the front
        self._building: set[int] = set()

    async def read(self, user_id: int, before: int | None = None, limit: int | None = None) -> list[int] | None:
        timeline = self.kept(user_id)
        if timeline is None:
            return None
        return ids_below(timeline, before, limit)

    def kept(self, user_id: int) -> list[int] | None:
        """The user's whole timeline, oldest first (the cache's own list: not to be changed); None as `read` gives."""
        timeline = self._timelines.get(user_id)
        return None if timeline is None or user_id in self._building else timeline

    async def read_many(self, user_ids: Sequence[int]) -> list[list[int] | None]:
        return [await self.read(user_id) for user_id in user_ids]

    async def start(self, user_id: int) -> None:
        self._timelines.setdefault(user_id, [])
        self._building.add(user_id)

    async def complete(self, user_id: int) -> None:
        self._building.discard(user_id)

    async def add(self, user_ids: Sequence[int], tweet_ids: Sequence[int]) -> int:
        written = 0
        for user_id in user_ids:
            timeline = self._timelines.get(user_id)
            if timeline is None:
                continue
            for tweet_id in sorted(tweet_ids, reverse=True):
                if timeline and len(timeline) >= self._capacity and tweet_id < timeline[0]:
                    break  # older than everything a full timeline keeps
                written += _insert(timeline, tweet_id)
            del timeline[: max(len(timeline) - self._capacity, 0)]
        return written

    async def remove(self, user_ids: Sequence[int], tweet_ids: Sequence[int]) -> int:
        removed = 0
        for user_id in user_ids:
            timeline = self._timelines.get(user_id)
            for tweet_id in tweet_ids if timeline else ():
                index = bisect_left(timeline, tweet_id)
                if index < len(timeline) and timeline[index] == tweet_id:
                    del timeline[index]
                    removed += 1
        return removed

    async def drop(self, user_id: int) -> None:
        self._timelines.pop(user_id, None)
        self._building.discard(user_id)

    async def close(self) -> None:
        self._timelines.clear()


def _insert(timeline: list[int], tweet_id: int) -> int:
    index = bisect_left(timeline, tweet_id)
    if index < len(timeline) and timeline[index] == tweet_id:
        return 0
    insort(timeline, tweet_id)
    return 1


def ids_below(timeline: list[int], before: int | None, limit: int | None) -> list[int]:
    """The newest `limit` (all, for None) of a timeline's ascending ids below `before`, newest first."""
    end = len(timeline) if before is None else bisect_left(timeline, before)
    start = 0 if limit is None else max(0, end - limit)
    return timeline[start:end][::-1]
