"""The benchmark's open-loop load generator: it keeps sending, and counts queueing in latency."""

import asyncio

import pytest

from bench import loadgen
from bench.loadgen import Step, Sweep, in_turns, run_step, settled, sweep


class OneAtATime:
    """A server that serves one request at a time, each taking service_s."""

    def __init__(self, service_s: float):
        self.service_s = service_s
        self.lock = asyncio.Lock()
        self.served = 0

    async def call(self) -> None:
        async with self.lock:
            await asyncio.sleep(self.service_s)
            self.served += 1


async def test_an_overloaded_server_shows_its_queue_in_latency():
    server = OneAtATime(0.02)  # can serve 50/s; offered 100/s for 1 s
    step = await run_step(100, 1.0, lambda rng: ("slow", server.call))
    assert step.ok == server.served >= 80  # the sender did not wait for replies: ~100 were sent
    # A closed loop would report ~20 ms; from each request's intended start, the backlog shows.
    assert step.percentiles_ms()["p99"] > 500


async def test_a_server_with_headroom_shows_its_service_time():
    server = OneAtATime(0.002)
    step = await run_step(50, 1.0, lambda rng: ("quick", server.call))
    assert 2 <= step.percentiles_ms()["p50"] < 50
    assert not step.errors


@pytest.mark.slow
async def test_a_sweep_stops_at_the_first_failing_rate_narrows_the_gap_twice_and_reports_the_last_passing_one(monkeypatch):
    monkeypatch.setattr(loadgen, "REFINEMENTS", 2)  # the benchmark narrows it four times; twice shows how, in less time
    server = OneAtATime(0.01)  # 100/s at most
    busy = lambda: server.served * server.service_s  # noqa: E731  # its CPU: a step starts once its queue is worked off
    result = await sweep("test", lambda rng: ("x", server.call), [20, 40, 400, 800], 0.5, lambda line: None, cpu=busy)
    offered = [s.offered for s in result.steps]
    assert offered[:4] == [20, 40, 400, 400]  # a failing rate is measured twice
    assert offered[4:] in ([126, 224, 224], [126, 126, 224, 224])  # 126 (between 40 and 400) passes, at its first or its
    # second step (half a second of random arrivals above the server's rate); 224 (between 126 and 400) fails twice
    assert result.saturation.offered == 126
    assert result.half_saturation.offered == 40


async def test_a_step_is_measured_once_the_work_the_one_before_left_is_done():
    loop = asyncio.get_running_loop()
    busy_until = loop.time() + 0.3

    def cpu() -> float:  # a core's worth of CPU spent until busy_until, none after
        return min(loop.time(), busy_until)

    assert 0.3 <= await settled(cpu, interval=0.05) < 1.0
    assert await settled(cpu, interval=0.05) < 0.1  # idle already: one look
    result = await sweep("test", lambda rng: ("x", OneAtATime(0.001).call), [20, 40], 0.2, lambda line: None, cpu=lambda: 0.0)
    assert [s.offered for s in result.steps] == [20, 40]


async def test_a_rate_that_fails_once_is_measured_again_and_passes_on_its_second_step():
    server, lines, stalled = OneAtATime(0.001), [], []

    async def call():  # one request stalls 300 ms, in the first step at 40/s (once the step at 20/s was logged)
        if len(lines) == 1 and not stalled:
            stalled.append(True)
            await asyncio.sleep(0.3)
        await server.call()

    result = await sweep("test", lambda rng: ("x", call), [20, 40, 80], 0.5, lines.append)
    assert [s.offered for s in result.steps] == [20, 40, 40, 80]
    assert [result.passes(s) for s in result.steps] == [True, False, True, True]
    assert result.saturation.offered == 80 and result.half_saturation.offered == 40 and result.passes(result.half_saturation)


def test_errors_are_counted_by_status_and_fail_a_step():
    step = Step(10, 1.0, elapsed=1.0)
    for _ in range(98):
        step.record("home", 0.001, "OK")
    step.record("home", 0.001, "UNAVAILABLE")
    step.record("home", 0.001, "UNAVAILABLE")
    assert step.summary()["errors"] == {"home:UNAVAILABLE": 2}
    assert not Sweep("x").passes(step)


@pytest.mark.slow
async def test_in_turns_each_runs_alone_and_its_turns_add_up():
    server, busy = OneAtATime(0.002), []

    def pick(name: str):
        async def call():
            assert set(busy) <= {name}  # never beside the other's requests
            busy.append(name)
            await server.call()
            busy.remove(name)

        return lambda rng: (name, call)

    steps = await in_turns(100, 0.8, {"a": pick("a"), "b": pick("b")}, turns=4)
    for step in steps.values():
        assert step.seconds == 0.8 and 0.8 <= step.elapsed < 1.5
        assert 40 <= step.ok <= 130 and not step.errors
