"""Buckets in process memory: the embedded mesh's, one process holding every service."""

from services.common.limits.buckets import Bucket, refill, wait_for_token_ms
from services.common.limits.rates import Rate

SWEEP_AT = 100_000  # buckets held before the full ones (the same as no bucket) are dropped


class MemoryBuckets:
    def __init__(self):
        self._buckets: dict[tuple[int, str], tuple[Bucket, Rate]] = {}
        self._sweep_at = SWEEP_AT

    async def take(self, user_id: int, action: str, rate: Rate, now_ms: int) -> int:
        held = self._buckets.get((user_id, action))
        bucket = refill(held[0] if held else None, rate, now_ms)
        if bucket.tokens < 1:
            return wait_for_token_ms(bucket, rate)
        if len(self._buckets) >= self._sweep_at:
            self._sweep(now_ms)
            self._sweep_at = max(SWEEP_AT, 2 * len(self._buckets))  # a sweep that freed little waits for twice as many
        self._buckets[(user_id, action)] = (Bucket(bucket.tokens - 1, bucket.at_ms), rate)
        return 0

    def _sweep(self, now_ms: int) -> None:
        full = [key for key, (bucket, rate) in self._buckets.items() if refill(bucket, rate, now_ms).tokens >= rate.tokens]
        for key in full:
            del self._buckets[key]
