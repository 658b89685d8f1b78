import asyncio

import pytest

from services.common.kernel.errors import NotFound
from services.common.runtime.concurrency import cancel_and_wait, concurrently


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
