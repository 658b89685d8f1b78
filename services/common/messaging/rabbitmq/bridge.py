"""The one place where pika's AsyncioConnection callbacks become asyncio futures and tasks.

Everything above this module is plain async code. Guarantees:
- every awaited callback (connection/channel open, an RPC's *-Ok) is raced against the close of its
  channel: a loss raises `ChannelLost` instead of hanging (pika never calls an RPC callback after a close);
- each published message gets a future: resolved by the broker's ack, failed with `PublishError` by a
  nack, a return (mandatory, unroutable) or a close first; `multiple=True` settles every tag up to its own;
- each delivery runs its handler as its own asyncio task: pika's I/O and heartbeats never wait for one;
  acks finished in the same turn of the event loop leave together (acks.py).
"""

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pika
from pika import spec
from pika.adapters.asyncio_connection import AsyncioConnection
from pika.channel import Channel as PikaChannel
from pika.exceptions import ChannelWrongStateError, ConnectionWrongStateError
from pika.frame import Method

from services.common.messaging.rabbitmq.acks import Acks
from services.common.messaging.rabbitmq.message import Message

Deliver = Callable[["Channel", spec.Basic.Deliver, pika.BasicProperties, bytes], Awaitable[None]]


class PublishError(Exception):
    """Messages were not confirmed by the broker; `unconfirmed` holds their indexes in the batch."""
    def __init__(self, message: str, unconfirmed: list[int] | None = None):
        super().__init__(message)
        self.unconfirmed = unconfirmed or []


class ChannelLost(ConnectionError):
    """A channel, or its connection, closed before the broker answered."""
    def __init__(self, what: str, reason: object):
        super().__init__(f"{what}: the channel closed before RabbitMQ answered ({reason!r})")
        self.reason, self.reply_code = reason, getattr(reason, "reply_code", None)


def _resolver(future: asyncio.Future) -> Callable[..., None]:
    return lambda *args: future.done() or future.set_result(args[0] if len(args) == 1 else args)


async def _settle(future: asyncio.Future, closed: asyncio.Future, timeout: float, what: str) -> Any:
    """The future's result, unless `closed` resolves first (ChannelLost) or time runs out (TimeoutError)."""
    await asyncio.wait({future, closed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if future.done():
        return future.result()
    future.cancel()
    if closed.done():
        raise ChannelLost(what, closed.result())
    raise TimeoutError(f"{what}: no answer from RabbitMQ within {timeout}s")


class Connection:
    def __init__(self, raw: AsyncioConnection, closed: asyncio.Future):
        self.raw, self.closed = raw, closed  # `closed` resolves with the reason pika gives

    @classmethod
    async def open(cls, parameters: pika.ConnectionParameters, timeout: float) -> "Connection":
        loop = asyncio.get_running_loop()
        opened, closed = loop.create_future(), loop.create_future()

        def failed(_connection: Any, error: BaseException) -> None:
            if not opened.done():
                opened.set_exception(ConnectionError(f"cannot connect to RabbitMQ at {parameters.host}:{parameters.port}: {error!r}"))
        raw = AsyncioConnection(parameters, on_open_callback=_resolver(opened), on_open_error_callback=failed,
                                on_close_callback=lambda _c, reason: _resolver(closed)(reason), custom_ioloop=loop)
        try:
            await asyncio.wait_for(asyncio.shield(opened), timeout)
        except BaseException:  # timed out or cancelled: abort the attempt, and let pika release its socket
            if not (raw.is_closing or raw.is_closed):
                raw.close()
            await asyncio.wait({opened}, timeout=timeout)
            if opened.done() and not opened.cancelled():
                opened.exception()  # retrieved: the error is the one being raised
            raise
        return cls(raw, closed)

    async def channel(self, timeout: float) -> "Channel":
        loop = asyncio.get_running_loop()
        opened, closed = loop.create_future(), loop.create_future()
        raw = self.raw.channel(on_open_callback=_resolver(opened))
        raw.add_on_close_callback(lambda _ch, reason: _resolver(closed)(reason))
        await _settle(opened, closed, timeout, "open a channel")
        return Channel(raw, closed, timeout)

    def close(self) -> None:
        """Starts a graceful close (channels first); `closed` resolves when it is done."""
        if not (self.raw.is_closing or self.raw.is_closed):
            self.raw.close()


class Channel:
    def __init__(self, raw: PikaChannel, closed: asyncio.Future, timeout: float):
        self.raw, self.closed, self.timeout = raw, closed, timeout
        self._unconfirmed: dict[int, asyncio.Future] = {}  # by publish sequence number, ascending
        self._returnable: dict[str, asyncio.Future] = {}  # mandatory messages, by message id
        self._published = 0
        self._acks = Acks(self._send_ack)
        closed.add_done_callback(self._fail_unconfirmed)

    @property
    def is_open(self) -> bool:
        return self.raw.is_open and not self.closed.done()

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Runs a pika RPC (queue_declare, basic_qos, ...) and returns its *-Ok frame."""
        future = asyncio.get_running_loop().create_future()
        try:
            getattr(self.raw, method)(*args, callback=_resolver(future), **kwargs)
        except (ChannelWrongStateError, ConnectionWrongStateError) as error:
            raise ChannelLost(method, error) from error
        return await _settle(future, self.closed, self.timeout, method)

    async def enable_confirms(self) -> None:
        self.raw.add_on_return_callback(self._on_return)
        await self.call("confirm_delivery", self._on_confirm)

    def publish(self, exchange: str, message: Message, properties: pika.BasicProperties) -> asyncio.Future:
        """Sends one message (no await); the returned future resolves when the broker confirms it."""
        if message.mandatory:
            properties.message_id = properties.message_id or uuid.uuid4().hex
        self.raw.basic_publish(exchange, message.routing_key, message.body, properties, message.mandatory)
        self._published += 1
        future = self._unconfirmed[self._published] = asyncio.get_running_loop().create_future()
        if message.mandatory:
            self._returnable[properties.message_id] = future
            future.add_done_callback(lambda _f, key=properties.message_id: self._returnable.pop(key, None))
        return future

    def _on_confirm(self, frame: Method) -> None:
        acked, tag = isinstance(frame.method, spec.Basic.Ack), frame.method.delivery_tag
        tags = list(itertools.takewhile(lambda t: t <= tag or tag == 0, self._unconfirmed)) if frame.method.multiple else [tag]
        for each in tags:
            future = self._unconfirmed.pop(each, None)
            if future is not None and not future.done():
                if acked:
                    future.set_result(None)
                else:
                    future.set_exception(PublishError(f"RabbitMQ nacked message {each}: it could not take it"))

    def _on_return(self, _ch: Any, method: spec.Basic.Return, properties: pika.BasicProperties, _body: bytes) -> None:
        future = self._returnable.pop(properties.message_id, None)  # the broker returns it before it acks it
        if future is not None and not future.done():
            future.set_exception(PublishError(f"unroutable ({method.reply_text}): exchange {method.exchange!r}, key {method.routing_key!r}"))

    def _fail_unconfirmed(self, closed: asyncio.Future) -> None:
        error = f"the connection was lost before RabbitMQ confirmed the message ({closed.result()!r})"
        for future in self._unconfirmed.values():
            if not future.done():
                future.set_exception(PublishError(error))
        self._unconfirmed.clear()

    async def consume(self, queue: str, handle: Deliver, tasks: set[asyncio.Task], on_cancel: Callable[[], None]) -> str:
        """Subscribes with manual acks; each delivery runs `handle` as a task kept in `tasks`. Returns the consumer tag."""
        def deliver(_ch: Any, method: spec.Basic.Deliver, properties: pika.BasicProperties, body: bytes) -> None:
            self._acks.delivered(method.delivery_tag)
            task = asyncio.create_task(handle(self, method, properties, body), name=f"consume {queue} #{method.delivery_tag}")
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        self.raw.add_on_cancel_callback(lambda _frame: on_cancel())  # the broker cancelled us (e.g. queue deleted)
        frame = await self.call("basic_consume", queue, deliver, auto_ack=False)
        return frame.method.consumer_tag

    def ack(self, delivery_tag: int) -> bool:
        """Acks a delivery of this channel at the end of this turn of the event loop, with the others finished
        in it; False when the channel is gone (the broker redelivers it, as it does one lost before the ack left)."""
        if not self.is_open:
            return False
        self._acks.finished(delivery_tag)
        return True

    def requeue(self, delivery_tag: int) -> None:
        self._acks.requeued(delivery_tag)
        if self.is_open:
            self.raw.basic_nack(delivery_tag, requeue=True)

    def close(self) -> None:
        if self.raw.is_open:
            self._acks.flush()  # the acks owed leave first
            self.raw.close()

    def _send_ack(self, delivery_tag: int, multiple: bool) -> None:
        if self.is_open:
            self.raw.basic_ack(delivery_tag, multiple=multiple)
