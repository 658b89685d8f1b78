"""The gateway as the processes run it: bindings, channels, the document, and the HTTP server, built and closed together."""

from dataclasses import dataclass

import grpc

from services.gateway.app import Gateway
from services.gateway.catalog import all_bindings, open_channels
from services.gateway.measured import MeasuredGateway
from services.gateway.openapi import rendered
from services.gateway.server import RestServer, start_rest_server


@dataclass
class Edge:
    rest: RestServer
    channels: dict[str, grpc.aio.Channel]

    @property
    def url(self) -> str:
        return self.rest.url

    async def close(self) -> None:
        await self.rest.stop()
        for opened in self.channels.values():
            await opened.close()


def build_gateway(targets: dict[str, str]) -> tuple[Gateway, dict[str, grpc.aio.Channel]]:
    bindings = all_bindings()
    channels = open_channels(targets)
    return Gateway(bindings, channels, rendered(bindings)), channels


async def open_edge(listen: str, targets: dict[str, str], measured: bool = False) -> Edge:
    gateway, channels = build_gateway(targets)
    try:
        return Edge(await start_rest_server(MeasuredGateway(gateway) if measured else gateway, listen), channels)
    except BaseException:
        for opened in channels.values():
            await opened.close()
        raise
