"""Rankings recomputed in the background: a few at a time, each user once however often asked.

A user asked for again while their ranking is being computed is computed once
more after it, so the ranking kept is never older than the last ask.
"""

import asyncio
from collections.abc import Awaitable, Callable

from services.common.runtime.best_effort import best_effort
from services.common.runtime.concurrency import cancel_and_wait

CONCURRENCY = 2  # rankings computed at once per process: each is one aggregate on the system of record
MAX_PENDING = 10_000  # users waiting; past it an ask is dropped (that ranking is computed when read)


class Refresher:
    def __init__(self, refresh: Callable[[int], Awaitable[None]], concurrency: int = CONCURRENCY, max_pending: int = MAX_PENDING):
        self._refresh = refresh
        self._slots = asyncio.Semaphore(concurrency)
        self._max_pending = max_pending
        self._pending: dict[int, bool] = {}  # user: asked again while being computed
        self._tasks: set[asyncio.Task] = set()

    def ask(self, user_id: int) -> None:
        if user_id in self._pending:
            self._pending[user_id] = True
            return
        if len(self._pending) >= self._max_pending:
            return
        self._pending[user_id] = False
        task = asyncio.get_running_loop().create_task(self._run(user_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Waits until every ranking asked for is computed."""
        while self._tasks:
            await asyncio.gather(*self._tasks)

    async def close(self) -> None:
        await cancel_and_wait(*self._tasks)

    async def _run(self, user_id: int) -> None:
        try:
            async with self._slots:
                again = True
                while again:
                    self._pending[user_id] = False
                    await best_effort(self._refresh(user_id), "rank who-to-follow suggestions again")
                    again = self._pending[user_id]
        finally:
            del self._pending[user_id]
