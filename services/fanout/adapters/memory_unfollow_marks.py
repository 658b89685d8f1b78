"""Who unfollowed whom lately, in process memory (the embedded mesh): `redis_unfollow_marks.py`'s marks, kept as long."""

from collections.abc import Callable, Sequence

from services.common.kernel.ids import wall_clock_ms


class MemoryUnfollowMarks:
    def __init__(self, kept_seconds: int, clock: Callable[[], int] = wall_clock_ms):
        self._kept_ms, self._clock = kept_seconds * 1000, clock
        self._marks: dict[int, dict[int, int]] = {}  # followee id -> follower id -> when marked (ms)

    async def mark(self, follower_id: int, followee_id: int) -> None:
        now = self._clock()
        marks = self._marks.setdefault(followee_id, {})
        marks[follower_id] = now
        for old in [follower for follower, at in marks.items() if at <= now - self._kept_ms]:
            del marks[old]

    async def marked(self, followee_id: int, follower_ids: Sequence[int]) -> set[int]:
        marks = self._marks.get(followee_id, {})
        return {follower_id for follower_id in follower_ids if follower_id in marks}
