"""One Redis connection carrying many commands at once, for the hottest read.

Redis answers a connection's commands in the order they came, so every
caller on an event loop can share one socket: each command's future waits
in a queue, and the replies, parsed by hiredis, settle them in order. Here
redis-py spends 65 to 100 µs of CPU on a command (its pool, retries and a
timeout object each); this spends 10 to 20.

It does only what that read needs: commands and scripts on one server (not
a Cluster, not TLS). A connection that fails fails every command waiting
on it with ConnectionError, and the next command connects again; a server
that leaves a command unanswered for `timeout` seconds fails them all with
TimeoutError and the connection is dropped.
"""

import asyncio
import collections
import hashlib
from urllib.parse import unquote, urlparse

import hiredis


class ReplyError(Exception):
    """Redis answered the command with an error."""


class MultiplexedRedis:
    def __init__(self, url: str, timeout: float = 2.0):
        parts = urlparse(url)
        if parts.scheme != "redis":
            raise ValueError(f"a multiplexed connection needs a redis:// address, not {parts.scheme}://")
        self._address = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self._hello = [("SELECT", int(parts.path.lstrip("/") or 0))]
        if parts.password:
            self._hello.insert(0, ("AUTH", unquote(parts.username or "default"), unquote(parts.password)))
        self._timeout = timeout
        self._link: _Link | None = None
        self._connecting = asyncio.Lock()
        self._closed = False

    async def call(self, *args):
        if self._closed:
            raise ConnectionError("the Redis connection was closed for good")
        link = self._link
        if link is None or not link.open:
            link = await self._connect()
        reply = await link.send(args)
        if isinstance(reply, hiredis.ReplyError):
            raise ReplyError(str(reply))
        return reply

    def tell(self, *args) -> None:
        """Sends a command when connected (nothing when not), and waits for no answer: for a write that may be lost."""
        link = self._link
        if not self._closed and link is not None and link.open:
            link.send(args).add_done_callback(_unheard)

    def script(self, source: str) -> "Script":
        return Script(self, source)

    async def close(self) -> None:
        self._closed = True
        if self._link is not None:
            self._link.close()

    async def _connect(self) -> "_Link":
        async with self._connecting:
            if self._link is None or not self._link.open:
                loop = asyncio.get_running_loop()
                _, link = await asyncio.wait_for(loop.create_connection(lambda: _Link(self._timeout), *self._address), self._timeout)
                try:
                    for command in self._hello:
                        if isinstance(reply := await link.send(command), hiredis.ReplyError):
                            raise ReplyError(f"Redis refused {command[0]}: {reply}")
                except BaseException:  # refused, or the caller gave up meanwhile: no socket left behind
                    link.close()
                    raise
                self._link = link
            return self._link


def _unheard(answer: asyncio.Future) -> None:
    if not answer.cancelled():
        answer.exception()  # retrieved, so a failure is not logged as never retrieved


class Script:
    """A Lua script, sent by its digest, and whole only when the server does not know it yet."""

    def __init__(self, redis: MultiplexedRedis, source: str):
        self._redis, self._source = redis, source
        self._digest = hashlib.sha1(source.encode()).hexdigest()

    async def __call__(self, keys: list, args: list):
        try:
            return await self._redis.call("EVALSHA", self._digest, len(keys), *keys, *args)
        except ReplyError as error:
            if not str(error).startswith("NOSCRIPT"):
                raise
            return await self._redis.call("EVAL", self._source, len(keys), *keys, *args)


class _Link(asyncio.Protocol):
    def __init__(self, timeout: float):
        self._loop = asyncio.get_running_loop()
        self._reader = hiredis.Reader()
        self._waiting: collections.deque[tuple[asyncio.Future, float]] = collections.deque()
        self._timeout = timeout
        self._transport: asyncio.Transport | None = None
        self._watch: asyncio.TimerHandle | None = None
        self.open = False

    def connection_made(self, transport) -> None:
        self._transport, self.open = transport, True
        self._watch = self._loop.call_later(self._timeout / 2, self._check)

    def send(self, args) -> asyncio.Future:
        if not self.open:
            raise ConnectionError("the Redis connection is closed")
        future = self._loop.create_future()
        self._waiting.append((future, self._loop.time()))
        self._transport.write(hiredis.pack_command(args))
        return future

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        while (reply := self._reader.gets()) is not False:
            future, _ = self._waiting.popleft()
            if not future.done():  # its caller may have given up
                future.set_result(reply)

    def connection_lost(self, error: Exception | None) -> None:
        self._fail(ConnectionError(f"Redis closed the connection ({error or 'closed'})"))

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        self._fail(ConnectionError("the Redis connection was closed"))

    def _check(self) -> None:
        if self._waiting and self._loop.time() - self._waiting[0][1] > self._timeout:
            self._fail(TimeoutError(f"Redis left a command unanswered for {self._timeout:g} s"))
            self._transport.abort()
        elif self.open:
            self._watch = self._loop.call_later(self._timeout / 2, self._check)

    def _fail(self, error: Exception) -> None:
        self.open = False
        if self._watch is not None:
            self._watch.cancel()
        while self._waiting:
            future, _ = self._waiting.popleft()
            if not future.done():
                future.set_exception(error)
