import asyncio

import pytest

from services.common.kernel.errors import NotFound
from services.common.runtime.concurrency import cancel_and_wait, concurrently, stop_if_cancelled


async def test_results_come_in_call_order_and_the_calls_overlap():
    started: list[str] = []

    async def call(name: str, delay: float) -> str:
        started.append(name)
        await asyncio.sleep(delay)
        return name

    assert await concurrently(call("slow", 0.05), call("fast", 0.0)) == ["slow", "fast"]
    assert started == ["slow", "fast"]  # the fast one started before the slow one finished


async def test_a_failure_cancels_the_others_and_raises_its_own_error():
    cancelled = asyncio.Event()

    async def waits_forever() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def fails() -> None:
        raise NotFound("no user has id 7", field="user_id")

    with pytest.raises(NotFound, match="no user has id 7"):
        await concurrently(waits_forever(), fails())
    assert cancelled.is_set()


async def test_cancel_and_wait_asks_again_when_a_loop_swallowed_the_first_cancel():
    cancels_seen = 0

    async def loop_that_swallows_one_cancel() -> None:
        nonlocal cancels_seen
        while True:
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancels_seen += 1
                if cancels_seen == 1:
                    continue  # what a wait_for racing its own completion can do on Python 3.11
                raise

    task = asyncio.create_task(loop_that_swallows_one_cancel())
    await asyncio.sleep(0)
    await asyncio.wait_for(cancel_and_wait(task), 5)
    assert task.cancelled() and cancels_seen == 2



def poller(inside_the_call: asyncio.Event, stops_when_cancelled: bool):
    """A poller that goes on after `except Exception` (Redis away), around a Redis call that turns a cancel into
    a ConnectionError, as redis-py can: what kept a Notification process from stopping."""

    async def redis_call() -> None:
        inside_the_call.set()
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            raise ConnectionError("Connection closed by server.") from None

    async def poll() -> None:
        while True:
            try:
                await redis_call()
            except Exception as error:
                if stops_when_cancelled:
                    stop_if_cancelled(error)
            await asyncio.sleep(0.5)

    return poll()


async def test_cancel_and_wait_asks_again_when_the_first_cancel_became_an_error_a_loop_caught():
    inside = asyncio.Event()
    tasks = [asyncio.create_task(poller(inside, stops_when_cancelled=False)), asyncio.create_task(asyncio.sleep(60))]
    await inside.wait()  # the first cancel lands in the call, the second (a second later) in the pause
    await asyncio.wait_for(cancel_and_wait(*tasks), 5)
    assert all(task.cancelled() for task in tasks)


async def test_a_loop_that_checks_stops_at_the_first_cancel_even_when_it_became_an_error():
    inside = asyncio.Event()
    task = asyncio.create_task(poller(inside, stops_when_cancelled=True))
    await inside.wait()
    task.cancel()
    await asyncio.wait({task}, timeout=5)
    assert task.cancelled()
