"""The benchmark's lag arithmetic, its probes' backoff, and its command line."""

import subprocess
import sys
import time

from bench.workloads import Probe, describe_lags, lag_ms


def test_lag_percentiles_are_nearest_rank_over_the_lags_seen():
    lags = [0.4, None, 0.1, 0.3, 0.2]
    assert (lag_ms(lags, 50), lag_ms(lags, 100)) == (200.0, 400.0)
    assert lag_ms([None, None], 99) is None
    assert describe_lags(lags) == "lag p50 200 ms, max 400 ms; 1 never seen"


class SeenAfter(Probe):
    """Sees the tweet once `delay` seconds have passed; counts how often it was asked."""

    interval = 0.01
    max_interval = 0.05

    def __init__(self, delay: float):
        self.delay, self.asked, self.start = delay, 0, time.monotonic()

    async def visible(self, follower: int, tweet_id: int) -> bool:
        self.asked += 1
        return time.monotonic() - self.start >= self.delay


async def test_a_probe_backs_off_as_it_waits_and_overstates_a_lag_by_at_most_its_cap():
    probe = SeenAfter(0.5)
    lag = await probe.seen(1, 1, probe.start)
    assert 0.5 <= lag <= 0.5 + probe.max_interval + 0.05
    assert probe.asked < 0.5 / probe.interval / 2  # well under one read per interval


def test_the_graph_size_is_bounded():
    run = subprocess.run([sys.executable, "-m", "bench.run", "--graph-users", "5"], capture_output=True, text=True)
    assert run.returncode == 2
    assert "--graph-users must be between 1,000 and 1,000,000, not 5" in run.stderr
