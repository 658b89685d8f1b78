"""Retrying work with exponential backoff, for consumers of the outbox and of RabbitMQ."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger("chirp.retry")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int | None = 5  # None: retry forever
    first_backoff_seconds: float = 0.05
    max_backoff_seconds: float = 5.0


async def with_retries(work: Callable[[], Awaitable[None]], retry: RetryPolicy, what: str) -> Exception | None:
    """Runs work until it succeeds or the attempts run out; returns the last error, if it never succeeded."""
    backoff, attempt = retry.first_backoff_seconds, 0
    while True:
        attempt += 1
        try:
            await work()
            return None
        except Exception as error:
            if retry.attempts is not None and attempt >= retry.attempts:
                return error
            log.warning("%s failed (attempt %s): %r", what, attempt, error)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, retry.max_backoff_seconds)
