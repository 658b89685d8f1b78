"""Calls that arrive together leave together: concurrent single-key lookups become one batch call.

While a batch call is out, the keys asked for meanwhile wait for it to return and then leave as
the next batch, so at low load a lookup goes out at once (alone) and under load each call carries
what arrived during the previous one: the batches grow with the load, and the cost per lookup of
a round trip (an RPC's, a query's) falls as it does. Keys asked for in the same turn of the event
loop always share a call.

A batch call runs in the context of its first lookup (its trace, its deadline's context variables),
whichever call or callback happens to send it; or of its first lookup in a sampled trace, if it
carries one (of any of its keys, or of the same key asked twice), so that a traced request's call
is recorded even beside untraced ones.
"""

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

from services.common.runtime.tracing import is_sampled

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
BatchCall = Callable[[Sequence[K]], Awaitable[dict[K, V]]]


class Coalescer(Generic[K, V]):
    """`get(key)` answers from `fetch(keys)`, a batch call returning what it found by key (a key it did
    not find answers `None`). At most `max_batch` keys per call and `max_in_flight` calls at once; a
    failed call raises its error in every lookup it carried."""

    def __init__(self, fetch: BatchCall, max_batch: int, max_in_flight: int = 1):
        if max_batch < 1 or max_in_flight < 1:
            raise ValueError("a coalescer needs room for at least one key and one call")
        self._fetch, self._max_batch, self._max_in_flight = fetch, max_batch, max_in_flight
        self._waiting: dict[K, list[asyncio.Future]] = {}
        self._asked_in: dict[K, contextvars.Context] = {}  # each waiting key's first lookup's context, or first sampled one's
        self._in_flight = 0
        self._calls: set[asyncio.Task] = set()  # held here: the loop keeps only weak references to tasks
        self._scheduled = False

    async def get(self, key: K) -> V | None:
        future = asyncio.get_running_loop().create_future()
        if key not in self._waiting:
            self._waiting[key], self._asked_in[key] = [], contextvars.copy_context()
        elif not is_sampled(self._asked_in[key]) and is_sampled(here := contextvars.copy_context()):
            self._asked_in[key] = here  # the same key asked in a traced request: the call belongs to that trace
        self._waiting[key].append(future)
        if not self._scheduled and self._in_flight < self._max_in_flight:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._send)  # what else this turn asks for goes along
        return await future

    def _send(self) -> None:
        self._scheduled = False
        while self._waiting and self._in_flight < self._max_in_flight:
            keys = list(self._waiting)[: self._max_batch]
            batch = {key: self._waiting.pop(key) for key in keys}
            contexts = [self._asked_in.pop(key) for key in keys]  # oldest first: keys keep their order
            context = next((each for each in contexts if is_sampled(each)), contexts[0])
            self._in_flight += 1
            call = asyncio.get_running_loop().create_task(self._call(batch), context=context)
            self._calls.add(call)
            call.add_done_callback(self._calls.discard)

    async def _call(self, batch: dict[K, list[asyncio.Future]]) -> None:
        try:
            found = await self._fetch(list(batch))
        except BaseException as error:  # a cancelled call fails its lookups rather than leaving them waiting
            failure = _fresh(error)
            _settle(batch, lambda future, key: future.set_exception(failure))
        else:
            _settle(batch, lambda future, key: future.set_result(found.get(key)))
        finally:
            self._in_flight -= 1
            self._send()  # what arrived meanwhile leaves now


def _settle(batch: dict, settle: Callable[[asyncio.Future, Hashable], None]) -> None:
    for key, futures in batch.items():
        for future in futures:
            if not future.done():  # its caller may have given up (a deadline)
                settle(future, key)


def _fresh(error: BaseException) -> BaseException:
    """The error for one waiter: a cancelled batch call is an error to its callers, not their own cancellation."""
    if isinstance(error, asyncio.CancelledError):
        return RuntimeError("the batch call carrying this lookup was cancelled")
    return error
