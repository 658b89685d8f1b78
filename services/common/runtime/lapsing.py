"""Values a process keeps in memory for a while: a map of bounded size whose entries lapse."""

import time
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Lapsing(Generic[K, V]):
    """Each value is kept the seconds it was put for; past `limit` entries, the one put longest ago goes."""

    def __init__(self, limit: int):
        self._kept: dict[K, tuple[float, V]] = {}
        self._limit = limit

    def get(self, key: K) -> V | None:
        kept = self._kept.get(key)
        return kept[1] if kept is not None and kept[0] > time.monotonic() else None

    def put(self, key: K, value: V, seconds: float) -> None:
        self._kept.pop(key, None)
        if len(self._kept) >= self._limit:
            del self._kept[next(iter(self._kept))]
        self._kept[key] = (time.monotonic() + seconds, value)

    def forget(self, key: K) -> None:
        self._kept.pop(key, None)
