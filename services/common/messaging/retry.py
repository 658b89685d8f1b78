"""Retrying work with exponential backoff, for consumers of the outbox and of RabbitMQ.

When to give up is decided here, for every consumer. Any error is tried `attempts` times. An outage (a server
that does not answer, a Redis Cluster failing over: `runtime/outages.py`) is tried for longer: until the waits
between attempts add up to `outage_seconds`, however many attempts that takes, so a failover of a few seconds
ends in a retry that succeeds, not in a dead letter. A bad event or a bug still gives up after `attempts`.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.common.runtime.outages import is_outage

log = logging.getLogger("chirp.retry")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int | None = 5  # None: retry forever
    first_backoff_seconds: float = 0.05
    max_backoff_seconds: float = 1.0
    outage_seconds: float = 20.0  # an outage is retried until the waits add up to this; 0: like any error

    def __post_init__(self):
        if self.outage_seconds > 0 and self.first_backoff_seconds <= 0:
            raise ValueError("an outage budget needs a backoff: it is counted in the waits between attempts")

    def backoff(self, failures: int) -> float:
        """The wait after the failures-th failure in a row."""
        return min(self.first_backoff_seconds * 2 ** min(failures - 1, 64), self.max_backoff_seconds)

    def gives_up(self, error: Exception, failures: int) -> bool:
        """Whether the failures-th failure, with this error, is the last: no attempt follows it."""
        if self.attempts is None or failures < self.attempts:
            return False
        return not is_outage(error) or self.waited(failures) > self.outage_seconds

    def waited(self, failures: int) -> float:
        """The waits after the first `failures` failures, added up."""
        return sum(self.backoff(failure) for failure in range(1, failures + 1))


def described(error: BaseException) -> str:
    """An error's type and message (redis-py's repr leaves the message out: `network:ConnectionError`)."""
    return f"{type(error).__name__}: {error}"


async def with_retries(work: Callable[[], Awaitable[None]], retry: RetryPolicy, what: str) -> Exception | None:
    """Runs work until it succeeds or the policy gives up; returns the last error, if it never succeeded."""
    failures = 0
    while True:
        try:
            await work()
            return None
        except Exception as error:
            failures += 1
            if retry.gives_up(error, failures):
                return error
            log.warning("%s failed (attempt %s): %s", what, failures, described(error))
            await asyncio.sleep(retry.backoff(failures))
