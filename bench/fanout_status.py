"""The fanout replicas' own counters, summed: what fan-out has written, and what still waits."""

import asyncio
import time
from dataclasses import dataclass

import grpc

from chirp.fanout.v1 import fanout_service_pb2 as fanout_pb
from chirp.fanout.v1 import fanout_service_pb2_grpc as fanout_grpc


@dataclass
class Settled:
    writes: int  # timeline entries written, over every replica
    last_write: float  # monotonic time the writes last moved
    idle: bool  # False: still busy when settle gave up waiting


class FanoutStatus:
    def __init__(self, addresses: list[str]):
        self._channels = [grpc.aio.insecure_channel(a) for a in addresses]
        self._stubs = [fanout_grpc.FanoutServiceStub(c) for c in self._channels]

    async def read(self) -> tuple[int, int]:
        """(timeline entries written, events waiting), over every replica."""
        replies = await asyncio.gather(*(s.GetFanoutStatus(fanout_pb.GetFanoutStatusRequest()) for s in self._stubs))
        return sum(r.timeline_writes for r in replies), sum(r.queue_depth for r in replies)

    async def settle(self, quiet: float = 1.0, timeout: float = 120.0) -> Settled:
        """Waits until nothing waits and the writes have not moved for `quiet` seconds, or until timeout."""
        writes, waiting = await self.read()
        changed = started = time.monotonic()
        while (waiting or time.monotonic() - changed < quiet) and time.monotonic() - started < timeout:
            await asyncio.sleep(0.05)
            now, waiting = await self.read()
            if now != writes:
                writes, changed = now, time.monotonic()
        return Settled(writes, changed, idle=not waiting and time.monotonic() - changed >= quiet)

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close()
