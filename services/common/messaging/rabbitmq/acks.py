"""The acks of one channel, coalesced: deliveries finished in the same turn of the event loop share a frame.

A finished delivery's ack leaves at the end of the turn it finished in, never later, so an ack
waits for nothing but its neighbours of that turn (and never for a slower handler). Then the run
of finished deliveries starting at the oldest unsettled one leaves as one `basic_ack(multiple=True)`,
which the broker applies to every unsettled tag up to it: the run holds exactly those, since every
earlier delivery is settled already. Finished deliveries past a gap (an older one still running)
are acked one by one. A requeued delivery is settled by its own nack, which the caller sends at once.
"""

import asyncio
from collections.abc import Callable

Send = Callable[[int, bool], None]  # (delivery tag, multiple): sends one basic_ack


class Acks:
    def __init__(self, send: Send):
        self._send = send
        self._unsettled: dict[int, bool] = {}  # delivery tag -> finished; in delivery order (ascending tags)
        self._finished: list[int] = []  # finished in this turn, waiting for its end
        self._scheduled = False

    def delivered(self, tag: int) -> None:
        self._unsettled[tag] = False

    def finished(self, tag: int) -> None:
        """The delivery's handling is done: its ack leaves at the end of this turn of the event loop."""
        if tag not in self._unsettled:
            return  # settled already (or never seen here): nothing is owed
        self._unsettled[tag] = True
        self._finished.append(tag)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def requeued(self, tag: int) -> None:
        """The delivery is settled by a nack the caller sends; it no longer holds up a run."""
        self._unsettled.pop(tag, None)

    def flush(self) -> None:
        """Sends the acks owed now (also before the channel closes)."""
        self._scheduled = False
        run: list[int] = []
        for tag, done in self._unsettled.items():
            if not done:
                break
            run.append(tag)
        for tag in run:
            del self._unsettled[tag]
        if run:
            self._send(run[-1], len(run) > 1)
        for tag in self._finished:
            if self._unsettled.pop(tag, None) is not None:
                self._send(tag, False)
        self._finished.clear()
