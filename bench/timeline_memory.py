"""Redis bytes per home-timeline entry, measured with MEMORY USAGE.

Fills timelines through the real RedisTimelineCache and, in the same run,
the common layout it replaces (a sorted set of decimal id strings scored by
id), then prints both and their ratio, with the machine they ran on.

    .venv/bin/python bench/timeline_memory.py [--redis-url URL] [--entries 800] [--users 200]
"""

import argparse
import asyncio
import platform
import random
import statistics

from redis.asyncio import Redis

from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_layout import timeline_key

BASE_ID = 900_000_000_000_000_000


async def measure(url: str, entries: int, users: int) -> dict:
    redis = Redis.from_url(url)
    cache = RedisTimelineCache(redis, capacity=entries, ttl_seconds=600)
    rng = random.Random(1)
    ours, naive = [], []
    for n in range(users):
        user = 10_000_000 + n
        ids = sorted(rng.sample(range(BASE_ID, BASE_ID + 10**12), entries))
        await cache.start(user)
        await cache.add([user], ids)
        await cache.complete(user)
        ours.append(await redis.memory_usage(timeline_key(user), samples=0) / entries)
        naive_key = f"bench:naive:{user}"
        await redis.zadd(naive_key, {str(i): i for i in ids})
        naive.append(await redis.memory_usage(naive_key, samples=0) / entries)
        await redis.delete(timeline_key(user), naive_key)
    info = await redis.info("server")
    node = (await redis.config_get("list-max-listpack-size"))["list-max-listpack-size"]
    await redis.aclose()
    return {"redis_version": info["redis_version"], "list_max_listpack_size": int(node), "entries": entries,
            "users": users, "chirp_bytes_per_entry": statistics.mean(ours), "common_bytes_per_entry": statistics.mean(naive)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--entries", type=int, default=800)
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.redis_url, args.entries, args.users))
    print(f"machine: {platform.node()} {platform.machine()}, Python {platform.python_version()}, "
          f"Redis {figures['redis_version']}, list-max-listpack-size {figures['list_max_listpack_size']}")  # fmt: skip
    print(f"timelines of {args.entries} ids, {args.users} users")
    print(f"  chirp layout (a list of 8-byte ids):    {figures['chirp_bytes_per_entry']:6.2f} bytes/entry  [target <= 16]")
    print(f"  common layout (decimal ids, id scores): {figures['common_bytes_per_entry']:6.2f} bytes/entry")
    print(f"  ratio chirp/common: {figures['chirp_bytes_per_entry'] / figures['common_bytes_per_entry']:.3f}")


if __name__ == "__main__":
    main()
