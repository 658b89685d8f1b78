"""Snowflake ids over gRPC, for services that run apart from the Snowflake service (an IdSource).

Ids are leased a few at a time (one NextIds call for up to LEASE_IDS posts)
and a lease is used only while it is younger than ID_LEASE_MS, so an id
still says, to within that, when its tweet was made.
"""

import asyncio
import time
from collections import deque

import grpc

from chirp.snowflake.v1 import snowflake_service_pb2 as pb
from chirp.snowflake.v1 import snowflake_service_pb2_grpc as pb_grpc
from services.common.kernel.ids import ID_LEASE_MS
from services.common.rpc.remote import INTERNAL_CALL_SECONDS, calling

LEASE_IDS = 16


class RemoteIds:
    def __init__(self, channel: grpc.aio.Channel):
        self._stub = pb_grpc.SnowflakeServiceStub(channel)
        self._lease: deque[int] = deque()
        self._leased_at = 0.0
        self._refilling = asyncio.Lock()

    async def next_id(self) -> int:
        if self._fresh():
            return self._lease.popleft()
        async with self._refilling:  # callers arriving together share one call
            if not self._fresh():
                asked_at = time.monotonic()  # the ids are at least this young
                with calling("snowflake"):
                    response = await self._stub.NextIds(pb.NextIdsRequest(count=LEASE_IDS), timeout=INTERNAL_CALL_SECONDS)
                self._lease, self._leased_at = deque(sorted(response.ids)), asked_at
            return self._lease.popleft()

    def _fresh(self) -> bool:
        return bool(self._lease) and (time.monotonic() - self._leased_at) * 1000 < ID_LEASE_MS
