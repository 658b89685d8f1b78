"""The limiter the services are given: one token taken per limited call, or the call refused.

A store keeps the buckets (memory_buckets.py embedded, redis_buckets.py in
mesh mode, shared by every replica); both follow `refill` below, and one
contract suite checks them side by side.
"""

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from services.common.kernel.errors import ResourceExhausted
from services.common.kernel.ids import wall_clock_ms
from services.common.limits.rates import Rate
from services.common.telemetry import metrics


class BucketStore(Protocol):
    async def take(self, user_id: int, action: str, rate: Rate, now_ms: int) -> int:
        """Refills the user's bucket for the action and takes one token, in one step.
        Returns 0 when taken, else the milliseconds until a token is next available (nothing changed)."""


@dataclass(frozen=True)
class Bucket:
    tokens: float
    at_ms: int  # when `tokens` was counted


def refill(bucket: Bucket | None, rate: Rate, now_ms: int) -> Bucket:
    """The bucket as of now: full when new, topped up evenly since it was counted (never above the rate's tokens)."""
    if bucket is None:
        return Bucket(float(rate.tokens), now_ms)
    if now_ms <= bucket.at_ms:  # a clock behind the last count: no refill, and no time moved back
        return bucket
    tokens = min(float(rate.tokens), bucket.tokens + (now_ms - bucket.at_ms) * rate.tokens / rate.period_ms)
    return Bucket(tokens, now_ms)


def wait_for_token_ms(bucket: Bucket, rate: Rate) -> int:
    """Milliseconds until the bucket holds a whole token again (at least 1)."""
    return max(1, math.ceil((1.0 - bucket.tokens) * rate.period_ms / rate.tokens))


class TokenBuckets:
    """The RateLimiter Tweet and Graph declare: the configured rates over a store; an action with no rate is free."""

    def __init__(self, store: BucketStore, rates: dict[str, Rate], clock: Callable[[], int] = wall_clock_ms):
        self._store = store
        self._rates = dict(rates)
        self._clock = clock

    async def take(self, user_id: int, action: str) -> None:
        rate = self._rates.get(action)
        if rate is None:
            return
        wait_ms = await self._store.take(user_id, action, rate, self._clock())
        if wait_ms:
            metrics.rate_limited(action)
            raise ResourceExhausted(rate.refusal(action, wait_ms), retry_after_ms=wait_ms)


def key_of(subject: str) -> int:
    """A bucket key for what is not a user id (a client address, a handle that may not exist): 63 bits of its hash."""
    return int.from_bytes(hashlib.blake2b(subject.encode(), digest_size=8).digest(), "big") >> 1
