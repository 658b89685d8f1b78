"""Independent awaits run together: a read that needs three answers waits for the slowest, not the sum."""

import asyncio
from collections.abc import Awaitable
from typing import Any


async def concurrently(*calls: Awaitable[Any]) -> list[Any]:
    """The results of the calls, in order. If one fails, the others are cancelled and its own error is
    raised (not an ExceptionGroup), so callers map errors as they would for a single call."""
    tasks = [asyncio.ensure_future(call) for call in calls]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def cancel_and_wait(task: asyncio.Task) -> None:
    """Cancels a background task and waits until it has ended. Asks again while it runs on, since on
    Python 3.11 a cancel that lands as an inner `wait_for` completes can be swallowed, and a loop
    that swallowed it would keep a shutdown waiting forever."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=1.0)
