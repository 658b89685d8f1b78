"""When the event consumers give up: an outage (a server down, a Redis Cluster failing over) is retried for longer
than a failover takes; a bad event or a bug still gives up after a few attempts. Time is the policy's own waits,
counted on a fake clock: nothing here sleeps."""

from types import SimpleNamespace

import asyncpg
import pytest
from redis import exceptions as redis_errors

from services.common.kernel.errors import InvalidArgument, Unavailable
from services.common.messaging import retry as retry_module
from services.common.messaging.rabbitmq.bridge import PublishError
from services.common.messaging.retry import RetryPolicy, described, with_retries
from services.common.runtime.outages import is_outage
from services.timeline.adapters.redis_replica_acks import ReplicaLag

PROMOTION_SECONDS = 2.7  # the slowest replica promotion measured in the Redis fault test
OLD_BUDGET_SECONDS = 1.55  # five attempts, 0.05 s doubling: what the policy waited before outages counted


@pytest.mark.parametrize("error", [
    ConnectionError("refused"), TimeoutError(), redis_errors.ConnectionError("Error 111 connecting"), redis_errors.TimeoutError(),
    redis_errors.ClusterDownError("CLUSTERDOWN The cluster is down"), redis_errors.TryAgainError("TRYAGAIN"),
    redis_errors.MovedError("3999 127.0.0.1:6381"), redis_errors.SlotNotCoveredError("slot 3999"), redis_errors.ReadOnlyError("READONLY"),
    ReplicaLag("no replica acknowledged"), PublishError("not confirmed"), Unavailable("the graph service could not answer"),
    asyncpg.CannotConnectNowError(), asyncpg.TargetServerAttributeNotMatched(),
])  # fmt: skip
def test_a_server_down_or_a_cluster_changing_its_map_is_an_outage(error):
    assert is_outage(error)


@pytest.mark.parametrize("error", [
    ValueError("bad event"), KeyError("kind"), AttributeError("a bug"), InvalidArgument("text too long"),
    redis_errors.ResponseError("WRONGTYPE"), redis_errors.AuthenticationError("invalid password"),
])  # fmt: skip
def test_a_bad_event_a_bug_or_refused_credentials_is_not(error):
    assert not is_outage(error)


class FakeClock:
    """Stands in for asyncio.sleep in the retry module: time passes only in the policy's waits."""

    def __init__(self, monkeypatch):
        self.now = 0.0
        monkeypatch.setattr(retry_module, "asyncio", SimpleNamespace(sleep=self.sleep))

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def failing_until(clock: FakeClock, seconds: float, error: Exception):
    calls = []

    async def work() -> None:
        calls.append(clock.now)
        if clock.now < seconds:
            raise error

    return work, calls


async def test_work_failing_with_connection_errors_through_a_promotion_succeeds(monkeypatch):
    clock = FakeClock(monkeypatch)
    work, calls = failing_until(clock, 2 * PROMOTION_SECONDS, redis_errors.ConnectionError("Error 111 connecting"))
    assert await with_retries(work, RetryPolicy(), "fan-out") is None
    assert len(calls) > RetryPolicy().attempts and clock.now >= 2 * PROMOTION_SECONDS > OLD_BUDGET_SECONDS
    assert max(b - a for a, b in zip(calls, calls[1:])) <= RetryPolicy().max_backoff_seconds  # it notices the end within a second


async def test_a_bad_event_gives_up_after_its_attempts_within_a_second(monkeypatch):
    clock = FakeClock(monkeypatch)
    work, calls = failing_until(clock, 60, ValueError("unknown event kind"))
    error = await with_retries(work, RetryPolicy(), "fan-out")
    assert isinstance(error, ValueError) and len(calls) == 5 and clock.now < 1.0


async def test_an_outage_longer_than_its_budget_gives_up_once_the_waits_reach_it(monkeypatch):
    clock, policy = FakeClock(monkeypatch), RetryPolicy(outage_seconds=20)
    work, calls = failing_until(clock, 3600, ConnectionError("refused"))
    assert isinstance(await with_retries(work, policy, "fan-out"), ConnectionError)
    assert 19 <= clock.now <= 20 and len(calls) < 40


async def test_refused_credentials_give_up_like_a_bug(monkeypatch):
    clock = FakeClock(monkeypatch)
    work, calls = failing_until(clock, 60, redis_errors.AuthenticationError("invalid password"))
    assert await with_retries(work, RetryPolicy(), "fan-out") is not None and len(calls) == 5


def test_the_default_budget_outlasts_a_promotion_several_times_over_and_the_backoff_stays_short():
    policy = RetryPolicy()
    last = next(n for n in range(1, 1000) if policy.gives_up(ConnectionError(), n))
    assert policy.waited(last - 1) >= 5 * PROMOTION_SECONDS
    assert policy.backoff(last) == policy.max_backoff_seconds <= 2.0
    assert not policy.gives_up(ConnectionError(), last - 1) and policy.gives_up(ValueError(), policy.attempts)


def test_no_outage_budget_means_outages_give_up_like_any_error():
    policy = RetryPolicy(attempts=5, outage_seconds=0)
    assert policy.gives_up(ConnectionError(), 5) and not policy.gives_up(ConnectionError(), 4)


def test_an_outage_budget_needs_a_backoff_to_count_it_in():
    with pytest.raises(ValueError, match="needs a backoff"):
        RetryPolicy(first_backoff_seconds=0)


def test_a_redis_error_is_described_with_its_message():
    assert described(redis_errors.ConnectionError("Error 111 connecting to 127.0.0.1:7001")) == (
        "ConnectionError: Error 111 connecting to 127.0.0.1:7001")
