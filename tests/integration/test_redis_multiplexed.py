"""The multiplexed Redis connection on a real server: replies reach their callers, failures fail fast and heal."""

import asyncio

import pytest

from services.common.storage.redis_multiplexed import MultiplexedRedis, ReplyError
from tests.integration.servers import REDIS_URL, free_port


async def test_many_commands_in_flight_each_get_their_own_reply_in_the_urls_database(redis):
    await redis.mset({f"k{n}": f"v{n}" for n in range(300)})
    mux = MultiplexedRedis(REDIS_URL)
    replies = await asyncio.gather(*(mux.call("GET", f"k{n}") for n in range(300)))
    assert replies == [f"v{n}".encode() for n in range(300)]
    await mux.close()


async def test_an_error_reply_raises_and_the_connection_goes_on(redis):
    mux = MultiplexedRedis(REDIS_URL)
    await redis.set("text", "x")
    with pytest.raises(ReplyError, match="WRONGTYPE"):
        await mux.call("LPUSH", "text", "y")
    assert await mux.call("GET", "text") == b"x"
    await mux.close()


async def test_a_script_is_loaded_once_the_server_forgets_it(redis):
    mux = MultiplexedRedis(REDIS_URL)
    script = mux.script("return {KEYS[1], ARGV[1] + 1}")
    assert await script(["a"], [41]) == [b"a", 42]
    await redis.script_flush()
    assert await script(["b"], [1]) == [b"b", 2]
    await mux.close()


async def test_a_killed_connection_fails_what_waits_and_the_next_command_connects_again(redis):
    mux = MultiplexedRedis(REDIS_URL)
    connection = await mux.call("CLIENT", "ID")
    blocked = asyncio.ensure_future(mux.call("BLPOP", "never", 5))
    await asyncio.sleep(0.1)
    await redis.client_kill_filter(_id=connection)
    with pytest.raises(ConnectionError):
        await blocked
    assert await mux.call("PING") == b"PONG"
    await mux.close()


async def test_a_server_that_never_answers_times_out_instead_of_hanging():
    async def silent(reader, writer):
        await reader.read(1 << 16)
        await asyncio.sleep(10)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    mux = MultiplexedRedis(f"redis://127.0.0.1:{port}/0", timeout=0.3)
    with pytest.raises(TimeoutError):
        await mux.call("PING")
    server.close()
    await mux.close()


async def test_nothing_listening_is_a_connection_error():
    with pytest.raises(ConnectionError):
        await MultiplexedRedis(f"redis://127.0.0.1:{free_port()}/0").call("PING")


def test_only_plain_redis_addresses_are_accepted():
    with pytest.raises(ValueError, match="redis://"):
        MultiplexedRedis("rediss://127.0.0.1:6379/0")


async def test_after_close_nothing_connects_again(redis):
    mux = MultiplexedRedis(REDIS_URL)
    assert await mux.call("PING") == b"PONG"
    await mux.close()
    with pytest.raises(ConnectionError, match="closed"):
        await mux.call("PING")
