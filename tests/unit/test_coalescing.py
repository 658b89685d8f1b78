"""Concurrent lookups share batch calls, and a failed call fails each lookup it carried."""

import asyncio
import contextvars

import pytest
from opentelemetry import trace

from services.common.runtime.coalescing import Coalescer


class Recorded:
    def __init__(self, delay: float = 0.0, fail: Exception | None = None):
        self.calls: list[list[int]] = []
        self._delay, self._fail = delay, fail

    async def __call__(self, keys):
        self.calls.append(list(keys))
        await asyncio.sleep(self._delay)
        if self._fail:
            raise self._fail
        return {key: key * 10 for key in keys if key != 0}


async def test_a_lone_lookup_goes_out_alone_and_answers():
    fetch = Recorded()
    assert await Coalescer(fetch, max_batch=10).get(3) == 30
    assert fetch.calls == [[3]]


async def test_lookups_of_one_turn_share_a_call_and_a_missing_key_answers_none():
    fetch = Recorded()
    coalescer = Coalescer(fetch, max_batch=10)
    assert await asyncio.gather(*(coalescer.get(k) for k in (1, 2, 2, 0))) == [10, 20, 20, None]
    assert fetch.calls == [[1, 2, 0]]


async def test_lookups_made_during_a_call_leave_together_in_the_next():
    fetch = Recorded(delay=0.02)
    coalescer = Coalescer(fetch, max_batch=3)
    first = asyncio.ensure_future(coalescer.get(1))
    await asyncio.sleep(0.005)  # the first call is out
    later = [asyncio.ensure_future(coalescer.get(k)) for k in (2, 3, 4, 5)]
    assert await asyncio.gather(first, *later) == [10, 20, 30, 40, 50]
    assert fetch.calls == [[1], [2, 3, 4], [5]]


async def test_a_failed_call_fails_every_lookup_it_carried_and_the_next_call_still_goes():
    fetch = Recorded(fail=ConnectionError("down"))
    coalescer = Coalescer(fetch, max_batch=10)
    results = await asyncio.gather(coalescer.get(1), coalescer.get(2), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    fetch._fail = None
    assert await coalescer.get(4) == 40


async def test_a_batch_call_runs_in_its_first_lookups_context_even_when_sent_after_another_call():
    """The call carrying a lookup made while another was out belongs to that lookup's trace, not the earlier call's."""
    caller = contextvars.ContextVar("caller", default="none")
    seen: list[str] = []

    async def fetch(keys):
        seen.append(caller.get())
        await asyncio.sleep(0.02)
        return {key: key for key in keys}

    coalescer = Coalescer(fetch, max_batch=10)

    async def lookup(key: int, who: str) -> int:
        caller.set(who)
        return await coalescer.get(key)

    first = asyncio.ensure_future(lookup(1, "follow"))
    await asyncio.sleep(0.005)  # the first call is out; the next lookup waits for it
    assert await asyncio.gather(first, lookup(2, "post")) == [1, 2]
    assert seen == ["follow", "post"]


def test_a_coalescer_needs_room():
    with pytest.raises(ValueError):
        Coalescer(Recorded(), max_batch=0)


async def test_a_batch_call_carrying_a_sampled_lookup_runs_in_its_trace_even_when_an_untraced_one_came_first():
    """Two events of one batch ask together: the call belongs to the traced one's trace, so that trace is whole."""
    seen: list[bool] = []

    async def fetch(keys):
        seen.append(trace.get_current_span().get_span_context().trace_flags.sampled)
        return {key: key for key in keys}

    coalescer = Coalescer(fetch, max_batch=10)
    sampled = trace.NonRecordingSpan(trace.SpanContext(1, 2, is_remote=True, trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED)))

    async def traced_lookup(key: int) -> int:
        with trace.use_span(sampled):
            return await coalescer.get(key)

    assert await asyncio.gather(coalescer.get(1), traced_lookup(2)) == [1, 2]
    assert await asyncio.gather(coalescer.get(3), traced_lookup(3)) == [3, 3]  # one author's two posts, one traced
    assert seen == [True, True]
