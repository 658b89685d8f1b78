"""The framework ceiling: a trivial grpc.aio echo service on the mesh's own server stack.

`python -m bench.echo 127.0.0.1:PORT` serves /chirp.bench.Echo/Echo, which
returns the request bytes, through services.common.rpc.server (the same
interceptors, health and reflection as every service).
"""

import asyncio
import sys

import grpc

from services.common.rpc.server import Registration, create_server, serve_until_signalled

METHOD = "/chirp.bench.Echo/Echo"


async def _echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


def _add(server: grpc.aio.Server) -> None:
    handler = grpc.unary_unary_rpc_method_handler(_echo)  # bytes in, bytes out: no (de)serializers
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("chirp.bench.Echo", {"Echo": handler})])


async def serve(listen: str) -> None:
    running = await create_server(listen, [Registration("chirp.bench.Echo", _add)])
    print(f"echo listening on {listen}", flush=True)
    await serve_until_signalled(running, grace=1)


def echo_call(channel: grpc.aio.Channel):
    """A callable that sends one echo request of `payload` bytes."""
    return channel.unary_unary(METHOD)


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1]))
