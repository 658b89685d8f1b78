"""Serving the gateway over HTTP/1.1: uvicorn with httptools (each response in one write: corked.py), on the caller's event loop.

Chosen by measurement (docs/architecture.md, "The REST gateway"): on a
home read it beat granian and hypercorn here. It runs inside the process's
own loop, beside a gRPC server when there is one, and leaves signals to
the process.
"""

import asyncio
import contextlib
import socket
from dataclasses import dataclass

import uvicorn

from services.gateway.app import Gateway
from services.gateway.corked import CorkedHttpToolsProtocol


class _QuietServer(uvicorn.Server):
    def capture_signals(self):  # the process handles SIGTERM and SIGINT itself
        return contextlib.nullcontext()


@dataclass
class RestServer:
    server: uvicorn.Server
    task: asyncio.Task
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        self.server.should_exit = True
        await self.task


async def start_rest_server(app: Gateway, listen: str) -> RestServer:
    host, _, port = listen.rpartition(":")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # asyncio sets TCP_NODELAY only with the proto named
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, int(port)))
    except OSError as error:
        listener.close()
        raise OSError(f"the REST gateway could not listen on {listen}: {error.strerror}") from None
    config = uvicorn.Config(app, http=CorkedHttpToolsProtocol, loop="none", lifespan="off", log_level="warning", access_log=False,
                            server_header=False, date_header=False, proxy_headers=False)  # fmt: skip  # the client is the peer
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:
        if task.done():
            await task
            raise OSError(f"the REST gateway could not start on {listen}")
        await asyncio.sleep(0.01)
    return RestServer(server, task, host, listener.getsockname()[1])
