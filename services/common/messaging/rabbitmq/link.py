"""Keeps one RabbitMQ connection up for the bus: connects, watches, and reconnects with backoff.

Guarantees:
- after the connection, or any channel reported through `channel_lost`, is lost, it reconnects
  for ever (or until `reconnect.attempts` consecutive failures), sleeping first_backoff * 2^n,
  capped at max_backoff, between attempts; a connection that stayed up longer than max_backoff
  starts the backoff over;
- on each new connection it opens the publishing channel, with publisher confirms, and runs
  `setup` (declare the exchange, re-attach consumers) before it reports ready: `wait_ready`
  never hands out a lost or half set-up connection;
- a lost channel closes its whole connection, so everything is set up again together;
- with several brokers (the nodes of a cluster), each attempt after a failure or a lost connection
  goes to the next one in the list, so a stopped node costs one failed attempt, not a wait for it;
  each process starts at a random one, which spreads the connections over the nodes.
"""

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence

import pika

from services.common.messaging.rabbitmq.bridge import Channel, Connection
from services.common.messaging.retry import RetryPolicy
from services.common.runtime.concurrency import cancel_and_wait, stop_if_cancelled

log = logging.getLogger("chirp.rabbitmq")
Setup = Callable[[Connection, Channel], Awaitable[None]]


class BusUnavailable(ConnectionError):
    """The bus is not connected to RabbitMQ (and did not reconnect in time)."""


class Link:
    def __init__(self, brokers: Sequence[pika.ConnectionParameters], name: str, reconnect: RetryPolicy, timeout: float, setup: Setup):
        self.name, self.timeout = name, timeout
        self._brokers, self._next, self._reconnect, self._setup = list(brokers), random.randrange(len(brokers)), reconnect, setup
        self._connection: Connection | None = None
        self._channel: Channel | None = None  # for publishing, with confirms
        self._ready = asyncio.Event()
        self._closing = False
        self._supervisor: asyncio.Task | None = None
        self.last_error: BaseException | None = None
        self.connections = 0  # how many times it got connected: 1 + reconnects

    def start(self) -> None:
        self._supervisor = asyncio.create_task(self._supervise(), name=f"rabbitmq {self.name}")

    @property
    def is_connected(self) -> bool:
        return self._ready.is_set() and self._channel is not None and self._channel.is_open

    async def wait_ready(self, timeout: float, what: str) -> tuple[Connection, Channel]:
        """The current connection and publishing channel, once connected; BusUnavailable after `timeout`."""
        deadline = time.monotonic() + timeout
        while not self.is_connected or self._connection is None or self._channel is None:
            self._ready.clear()  # the channel may have just closed: the supervisor sets it again once reconnected
            if self._closing:
                raise BusUnavailable(f"bus {self.name}: cannot {what}: the bus is closed")
            try:
                await asyncio.wait_for(self._ready.wait(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise BusUnavailable(f"bus {self.name}: cannot {what}: not connected to RabbitMQ within {timeout}s "
                                     f"(last error: {self.last_error!r})") from None
        return self._connection, self._channel

    def channel_lost(self, connection: Connection, what: str, reason: object) -> None:
        """A channel of `connection` closed: unless closing, drop the connection and reconnect everything."""
        if self._closing or connection.closed.done():
            return
        log.warning("bus %s: the %s channel closed (%r); reconnecting", self.name, what, reason)
        self._ready.clear()
        connection.close()

    async def stop_reconnecting(self) -> None:
        """From now on a lost connection stays lost (the first step of closing)."""
        self._closing = True
        if self._supervisor is not None:
            await cancel_and_wait(self._supervisor)

    async def close(self) -> None:
        await self.stop_reconnecting()
        self._ready.clear()
        if self._connection is not None:
            self._connection.close()
            await asyncio.wait({self._connection.closed}, timeout=self.timeout)
        self._connection = self._channel = None

    async def _supervise(self) -> None:
        backoff, failures = self._reconnect.first_backoff_seconds, 0
        while True:
            started = time.monotonic()
            try:
                connection = await self._establish()
            except Exception as error:
                stop_if_cancelled(error)
                self.last_error, failures = error, failures + 1
                if self._reconnect.attempts is not None and failures >= self._reconnect.attempts:
                    log.error("bus %s: giving up after %s failed connection attempts: %r", self.name, failures, error)
                    return
                log.warning("bus %s: cannot connect to RabbitMQ (%r); retrying in %.2fs", self.name, error, backoff)
            else:
                failures = 0
                await asyncio.wait({connection.closed})  # not `await closed`: cancelling us must not cancel it
                self.last_error = connection.closed.result()
                log.warning("bus %s: connection lost (%r); reconnecting in %.2fs", self.name, self.last_error, backoff)
            if time.monotonic() - started > self._reconnect.max_backoff_seconds:
                backoff = self._reconnect.first_backoff_seconds  # it was up for a while: start over
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._reconnect.max_backoff_seconds)

    async def _establish(self) -> Connection:
        parameters = self._brokers[self._next % len(self._brokers)]
        self._next += 1  # the next attempt, after a failure or a loss, goes to the next broker
        connection = await Connection.open(parameters, self.timeout)
        try:
            channel = await connection.channel(self.timeout)
            await channel.enable_confirms()
            await self._setup(connection, channel)
        except BaseException:
            connection.close()
            await asyncio.wait({connection.closed}, timeout=self.timeout)
            raise
        channel.closed.add_done_callback(lambda closed: self.channel_lost(connection, "publishing", closed.result()))
        connection.closed.add_done_callback(lambda _closed: self._forget(connection))
        self._connection, self._channel = connection, channel
        self._ready.set()
        self.connections += 1
        return connection

    def _forget(self, connection: Connection) -> None:
        if self._connection is connection:
            self._ready.clear()
            self._connection = self._channel = None
