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


async def cancel_and_wait(*tasks: asyncio.Future) -> None:
    """Cancels background tasks and waits until they have ended. Asks again while one runs on: on
    Python 3.11 a cancel that lands as an inner `wait_for` completes can be swallowed, and a client
    library (redis-py) can turn it into an error that a loop's `except Exception` catches; a loop
    asked only once would keep a shutdown waiting forever. Their errors are taken, not raised."""
    while running := [task for task in tasks if not task.done()]:
        for task in running:
            task.cancel()
        await asyncio.wait(running, timeout=1.0)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved: a stopped task's error is not reported as never retrieved


def stop_if_cancelled(error: Exception) -> None:
    """For the `except Exception` of a loop that carries on after errors: if this task was cancelled
    while it waited, and a client library turned the cancel into `error`, it stops all the same."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError() from error
