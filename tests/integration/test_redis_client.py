"""The services' Redis client on a real server: a burst waits for a connection, a dead server fails fast."""

import asyncio
import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from services.common.runtime.config import Settings
from services.mesh.backends import REDIS_CONNECTIONS, redis_client
from tests.integration.servers import REDIS_URL, free_port


async def test_more_commands_at_once_than_connections_wait_for_one_instead_of_failing():
    client = redis_client(Settings(redis_url=REDIS_URL))
    try:
        burst = REDIS_CONNECTIONS + 50  # each holds its connection for 0.2 s
        replies = await asyncio.gather(*(client.blpop([f"chirp:test:empty:{n}"], timeout=0.2) for n in range(burst)))
        assert replies == [None] * burst
    finally:
        await client.aclose()


async def test_an_unreachable_server_fails_within_seconds():
    client = redis_client(Settings(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    started = time.monotonic()
    try:
        with pytest.raises(RedisConnectionError):
            await client.get("chirp:test:anything")
    finally:
        await client.aclose()
    assert time.monotonic() - started < 5
