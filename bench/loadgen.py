"""Open-loop load: requests start on a Poisson schedule, whatever the server does.

Each request is scheduled at an intended time (exponential gaps at the
offered rate) and started then as its own task, so a slow server can't
slow the sender down; latency runs from the intended time, not from the
moment the request was finally sent, so queueing anywhere counts (no
coordinated omission). Latencies go into HDR histograms, one per label.
"""

import asyncio
import contextlib
import gc
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import grpc
from hdrh.histogram import HdrHistogram

PERCENTILES = (50, 90, 99, 99.9)
MAX_LATENCY_US = 60_000_000
MAX_IN_FLIGHT = 4000  # beyond this the generator sheds a request and counts it as an error

# picks the next request: (label, a function that makes the call)
Pick = Callable[[random.Random], tuple[str, Callable[[], Awaitable[object]]]]


def new_histogram() -> HdrHistogram:
    return HdrHistogram(1, MAX_LATENCY_US, 3)


@dataclass
class Step:
    """One run at one offered rate."""

    offered: float
    seconds: float
    histograms: dict[str, HdrHistogram] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)  # (label, status name) -> count
    elapsed: float = 0.0
    cpu_seconds: float | None = None  # spent by the system's processes during the step, when metered

    def record(self, label: str, latency_s: float, status: str) -> None:
        if status != "OK":
            self.errors[(label, status)] += 1
            return
        histogram = self.histograms.get(label)
        if histogram is None:  # made once per label: a histogram is a large array, too dear to make per call
            histogram = self.histograms[label] = new_histogram()
        histogram.record_value(max(1, int(latency_s * 1e6)))

    def add(self, other: "Step") -> None:
        """Takes in another run at the same rate (a later turn of the same measurement)."""
        for label, histogram in other.histograms.items():
            self.histograms.setdefault(label, new_histogram()).add(histogram)
        self.errors.update(other.errors)
        self.seconds += other.seconds
        self.elapsed += other.elapsed

    def overall(self) -> HdrHistogram:
        merged = new_histogram()
        for histogram in self.histograms.values():
            merged.add(histogram)
        return merged

    @property
    def ok(self) -> int:
        return sum(h.get_total_count() for h in self.histograms.values())

    @property
    def achieved(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentiles_ms(self, label: str | None = None) -> dict[str, float]:
        histogram = self.overall() if label is None else self.histograms.get(label, new_histogram())
        return {f"p{p:g}": histogram.get_value_at_percentile(p) / 1000 for p in PERCENTILES}

    def summary(self) -> dict:
        return {
            "offered_per_second": self.offered,
            "achieved_per_second": round(self.achieved, 1),
            "ok": self.ok,
            "errors": {f"{label}:{status}": n for (label, status), n in sorted(self.errors.items())},
            "latency_ms": self.percentiles_ms(),
            "cpu_ms_per_request": round(self.cpu_seconds * 1000 / self.ok, 3) if self.cpu_seconds is not None and self.ok else None,
            "by_label_ms": {label: self.percentiles_ms(label) for label in sorted(self.histograms)},
        }


async def run_step(rate: float, seconds: float, pick: Pick, seed: int = 1) -> Step:
    with _heap_held():
        return await _run_step(rate, seconds, pick, seed)


@contextlib.contextmanager
def _heap_held():
    """The load generator's own full collections would pause it and add to every latency it measures:
    during a step, what it held before the step is kept out of them."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


async def _run_step(rate: float, seconds: float, pick: Pick, seed: int) -> Step:
    step = Step(rate, seconds)
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    in_flight: set[asyncio.Task] = set()
    start = intended = loop.time() + 0.02
    end = start + seconds
    while (intended := intended + rng.expovariate(rate)) < end:
        delay = intended - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        label, call = pick(rng)
        if len(in_flight) >= MAX_IN_FLIGHT:
            step.record(label, 0, "SHED_BY_LOAD_GENERATOR")
            continue
        task = asyncio.create_task(_timed(step, label, call, intended))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    await asyncio.gather(*in_flight)
    step.elapsed = max(seconds, loop.time() - start)
    return step


async def in_turns(rate: float, seconds: float, picks: dict[str, Pick], turns: int) -> dict[str, Step]:
    """Each pick alone at the rate for `seconds` in all, taking turns (a, b, a, b, ...), so each one's
    latency is not the other's load, while a shared machine's noise still falls on both alike."""
    steps = {name: Step(rate, 0.0) for name in picks}
    for turn in range(turns):
        for n, (name, pick) in enumerate(picks.items()):
            steps[name].add(await run_step(rate, seconds / turns, pick, seed=turn * len(picks) + n + 1))
    return steps


async def _timed(step: Step, label: str, call: Callable[[], Awaitable[object]], intended: float) -> None:
    try:
        await call()
        status = "OK"
    except grpc.aio.AioRpcError as error:
        status = error.code().name
    except Exception as error:  # a non-gRPC target (Redis, PostgreSQL) failing
        status = type(error).__name__
    step.record(label, asyncio.get_running_loop().time() - intended, status)


@dataclass
class Sweep:
    name: str
    steps: list[Step] = field(default_factory=list)
    p99_limit_ms: float = 200.0

    def passes(self, step: Step) -> bool:
        """p99 under the limit (latency counts from the intended start, so a backlog shows) and ≤1% errors."""
        errors = sum(step.errors.values())
        return step.percentiles_ms()["p99"] <= self.p99_limit_ms and errors <= 0.01 * max(1, step.ok + errors)

    @property
    def saturation(self) -> Step | None:
        """The highest offered rate that passed."""
        passing = [s for s in self.steps if self.passes(s)]
        return max(passing, key=lambda s: s.offered) if passing else None

    @property
    def half_saturation(self) -> Step | None:
        """The highest step at or below half the saturation rate."""
        top = self.saturation
        below = [s for s in self.steps if top and s.offered <= top.offered / 2 + 1e-9]
        return max(below, key=lambda s: (s.offered, self.passes(s))) if below else None  # of two at a rate, the passing one

    def summary(self) -> dict:
        top, half = self.saturation, self.half_saturation
        return {
            "steps": [s.summary() for s in self.steps],
            "saturation_per_second": top.achieved if top else None,
            "saturation_offered": top.offered if top else None,
            "p99_at_half_saturation_ms": half.percentiles_ms()["p99"] if half else None,
            "cpu_ms_per_request_at_half_saturation": half.summary()["cpu_ms_per_request"] if half else None,
        }


SETTLED_CORES = 0.25  # a system using less CPU than this has worked off what the step before left queued
SETTLE_MAX_SECONDS = 30.0
ATTEMPTS = 2  # steps at a rate before it fails
# A doubling sweep brackets saturation within a factor of 2; each try narrows it to the square root (√2, 2^¼, 2^⅛,
# then 2^1/16: within 4.4%). With two, a ratio of two saturations (ours ÷ the echo) moved in steps of up to 19% each.
REFINEMENTS = 4


async def sweep(name: str, pick: Pick, rates: list[float], seconds: float, log: Callable[[str], None],
                cpu: Callable[[], float] | None = None) -> Sweep:
    """Runs the rates in order until one fails the p99 limit twice (the rest would fail too), then
    narrows the gap between the last passing rate and the failing one, REFINEMENTS times, each
    time trying the rate halfway between them (geometrically) and keeping the half it falls in.
    `cpu` reads the CPU seconds the system has spent so far, for its cost per request; with it, each step
    after the first waits for the system to settle first (`settled`), so it is measured from idle."""
    result = Sweep(name)

    async def measure(rate: float) -> bool:
        """A rate fails when two steps at it fail: a step that fails is run again, after the system settled, so one
        stall of the shared machine (a few hundred ms fail the p99 of a slow step) does not end the sweep."""
        for attempt in range(ATTEMPTS):
            if cpu and result.steps and (waited := await settled(cpu)) >= 1.0:
                log(f"[{name}] settled in {waited:.1f} s")
            before = cpu() if cpu else None
            step = await run_step(rate, seconds, pick, seed=1 + attempt)
            if cpu:
                step.cpu_seconds = cpu() - before
            result.steps.append(step)
            p = step.percentiles_ms()
            log(f"[{name}] offered {rate:7.0f}/s  achieved {step.achieved:7.1f}/s  "
                f"p50 {p['p50']:7.1f} ms  p99 {p['p99']:7.1f} ms  errors {sum(step.errors.values())}")  # fmt: skip
            if result.passes(step):
                return True
        return False

    for previous, rate in zip([None, *rates], rates):
        if not await measure(rate):
            low, high = previous, rate
            for _ in range(REFINEMENTS if low else 0):
                middle = round((low * high) ** 0.5)
                if await measure(middle):
                    low = middle
                else:
                    high = middle
            break
    return result


async def settled(cpu: Callable[[], float], interval: float = 0.5) -> float:
    """Waits until the system's CPU use over `interval` falls under SETTLED_CORES (at most SETTLE_MAX_SECONDS); returns
    the seconds waited. A step past saturation leaves work queued behind the calls it answered (fan-out, indexing,
    counting, all deferred), and the step after it would otherwise be measured while that work is done."""
    loop_time = asyncio.get_running_loop().time
    started = loop_time()
    while loop_time() - started < SETTLE_MAX_SECONDS:
        before = cpu()
        await asyncio.sleep(interval)
        if (cpu() - before) / interval < SETTLED_CORES:
            break
    return loop_time() - started
