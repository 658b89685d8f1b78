"""The baselines measured in the same run as the mesh, so figures are ratios on one machine: the
framework ceiling (a trivial echo service on the project's server stack), raw Redis reads of one
timeline, and Snowflake ids from one generator."""

import time
from pathlib import Path

import grpc

from bench import cpu, echo, loadgen, systems
from bench.progress import log
from services.common.runtime.config import Settings
from services.mesh.backends import redis_client
from services.snowflake.domain import SnowflakeGenerator
from services.timeline.adapters.redis_layout import timeline_key


async def ceiling(workdir: Path, plan: dict, rates: list[float]) -> dict:
    server = await systems.start_echo(workdir, plan["port"])
    channel = grpc.aio.insecure_channel(server.target)
    call = echo.echo_call(channel)
    payload = b"x" * 64
    try:
        pick = lambda rng: ("echo", lambda: call(payload, timeout=5))  # noqa: E731
        result = await loadgen.sweep("echo", pick, rates, plan["seconds"], log, cpu.meter(lambda: server.pids().values()))
        at_pull_rate = await loadgen.run_step(plan["pull_rate"], plan["pull_seconds"], pick)  # the floor for that comparison
    finally:
        await channel.close()
        await server.stop()
    return {**result.summary(), "at_pull_rate": at_pull_rate.summary()}


async def raw_redis(user_id: int, rates: list[float], seconds: float) -> dict:
    """LRANGE of one user's whole cached timeline, straight from Redis, with the services' own client."""
    redis = redis_client(Settings(redis_url=systems.REDIS_BENCH_URL))
    key = timeline_key(user_id)
    try:
        sweep = await loadgen.sweep("redis/lrange", lambda rng: ("lrange", lambda: redis.lrange(key, 0, -1)),
                                    rates, seconds, log)  # fmt: skip
    finally:
        await redis.aclose()
    return sweep.summary()


async def snowflake_rate(seconds: float = 1.0) -> float:
    """Ids per second from one generator, one id per call, in this process (no RPC)."""
    generator = SnowflakeGenerator(1)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(1000):
            await generator.next_id()
        count += 1000
    return count / (time.perf_counter() - start)
