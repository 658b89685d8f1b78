"""What waiting for replicas costs a fan-out chunk on a Redis Cluster with replicas (ReplicaAcks).

Adds one fresh id to --chunk followers' timelines, --rounds times, alternately with and without
ReplicaAcks, one chunk at a time, and prints each mode's median latency per chunk and this process's
CPU per chunk (the masters' and replicas' work is the same either way, but for one WAIT per master).

    .venv/bin/python bench/replica_acks.py --redis-url redis://127.0.0.1:PORT [--chunk 1000] [--rounds 200]
"""

import argparse
import asyncio
import statistics
import time

from redis.asyncio import RedisCluster

from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_replica_acks import ReplicaAcks

FIRST_USER, BASE_ID = 30_000_000, 910_000_000_000_000_000


async def chunk_costs(cache: RedisTimelineCache, users: list[int], rounds: int, first_id: int) -> tuple[float, float]:
    """Median wall ms and mean CPU ms of this process per chunk."""
    walls, cpu = [], time.process_time()
    for n in range(rounds):
        started = time.perf_counter()
        await cache.add(users, [first_id + n])
        walls.append(time.perf_counter() - started)
    return statistics.median(walls) * 1000, (time.process_time() - cpu) / rounds * 1000


async def main(url: str, chunk: int, rounds: int) -> None:
    redis = RedisCluster.from_url(url)
    users = list(range(FIRST_USER, FIRST_USER + chunk))
    plain = RedisTimelineCache(redis, 800, 600)
    waiting = RedisTimelineCache(redis, 800, 600, replica_acks=ReplicaAcks(redis, 500))
    for user in users:
        await plain.start(user)
        await plain.complete(user)
    results = {"without": [], "with": []}
    for n in range(4):
        for name, cache in (("without", plain), ("with", waiting)):
            results[name].append(await chunk_costs(cache, users, rounds // 4, BASE_ID + 1000 * (2 * n + (name == "with")) * rounds))
    for name, figures in results.items():
        walls, cpus = zip(*figures)
        print(f"{name} replica acks: {statistics.median(walls):.2f} ms a chunk of {chunk} (median), {statistics.mean(cpus):.2f} ms CPU a chunk")
    for user in users:
        await plain.drop(user)
    await redis.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.redis_url, args.chunk, args.rounds))
