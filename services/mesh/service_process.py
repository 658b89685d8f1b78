"""What one service's process holds (mesh mode): its servicers, its resources, its event flow and the work it runs beside them."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from services.common.rpc.auth import Authenticator
from services.common.rpc.server import Registration
from services.mesh.backends import Resources
from services.mesh.wiring import EventFlow


class Background(Protocol):
    """Work a process runs beside its server (Trending's refresher)."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class ServiceProcess:
    hosted: list[Registration] = field(default_factory=list)
    resources: Resources = field(default_factory=Resources)
    flow: EventFlow | None = None
    starts: list[Callable[[], Awaitable[None]]] = field(default_factory=list)  # before events flow
    background: list[Background] = field(default_factory=list)
    authenticator: Authenticator | None = None

    def registrations(self) -> list[Registration]:
        return self.hosted

    async def start(self) -> None:
        for start in self.starts:
            await start()
        if self.flow is not None:
            await self.flow.start()
        for work in self.background:
            work.start()

    async def close(self) -> None:
        for work in self.background:
            await work.stop()
        if self.flow is not None:
            await self.flow.stop()
        await self.resources.close()
