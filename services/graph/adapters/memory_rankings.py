"""Rankings kept in the process (the embedded default): bounded, the oldest put out first."""

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from services.graph.suggestions import Ranking

MAX_KEPT = 10_000  # users whose rankings one process keeps


class MemoryRankings:
    def __init__(self, max_kept: int = MAX_KEPT, clock: Callable[[], float] = time.monotonic):
        self._kept: OrderedDict[int, tuple[float, Ranking]] = OrderedDict()
        self._max_kept = max_kept
        self._clock = clock

    async def get(self, user_id: int) -> Ranking | None:
        kept = self._kept.get(user_id)
        if kept is None or kept[0] <= self._clock():
            return None
        return kept[1]

    async def put(self, user_id: int, ranking: Ranking, ttl_seconds: int) -> None:
        self._kept.pop(user_id, None)
        self._kept[user_id] = (self._clock() + ttl_seconds, ranking)
        while len(self._kept) > self._max_kept:
            self._kept.popitem(last=False)

    async def drop(self, user_ids: Sequence[int]) -> int:
        now = self._clock()
        dropped = [self._kept.pop(user_id, None) for user_id in user_ids]
        return sum(1 for kept in dropped if kept is not None and kept[0] > now)
