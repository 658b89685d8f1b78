"""A lean HTTP/1.1 GET client for the load generator: kept-alive connections, responses parsed by httptools.

httpx spent more CPU a request than the gateway it measured, so on this
2-core machine the client, not the gateway, set the REST figure. This one
does only what the benchmark needs: GET, a pool of idle connections, the
status code (a non-2xx raises).
"""

import asyncio
from urllib.parse import urlsplit

import httptools


class HttpStatusError(Exception):
    pass


class _Response:
    def __init__(self):
        self.done = False

    def on_message_complete(self):
        self.done = True


class LeanHttpClient:
    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def get(self, path: str, headers: dict[str, str]) -> int:
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        while self.idle:  # a kept-alive connection the server closed meanwhile (its idle timeout) is dropped
            parser = await self._exchange(*self.idle.pop(), request.encode())
            if parser is not None:
                break
        else:
            parser = await self._exchange(*await asyncio.open_connection(self.host, self.port), request.encode())
            if parser is None:
                raise ConnectionError("the server closed a new connection without answering")
        status = parser.get_status_code()
        if not 200 <= status < 300:
            raise HttpStatusError(f"HTTP {status}")
        return status

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes):
        """The parsed response, or None when the connection closed before any of it came."""
        response = _Response()
        parser, got = httptools.HttpResponseParser(response), False
        try:
            writer.write(request)
            while not response.done:
                chunk = await reader.read(65536)
                if not chunk:
                    if got:
                        raise ConnectionError("the server closed the connection mid-response")
                    writer.close()
                    return None
                got = True
                parser.feed_data(chunk)
        except BaseException:
            writer.close()
            raise
        self.idle.append((reader, writer))
        return parser

    async def aclose(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()
