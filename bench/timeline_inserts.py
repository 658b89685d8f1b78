"""Timeline inserts per second into full home timelines, and Redis CPU per insert, through RedisTimelineCache.

Fills --users timelines with --entries ids each, then adds fresh ids as fan-out
does (one id to a chunk of --chunk followers a call, --clients calls at once)
and prints inserts/s and the Redis server's CPU (INFO cpu) per insert. Run it
on a Redis of its own: other clients' load shows in the CPU figure.

    .venv/bin/python bench/timeline_inserts.py [--redis-url URL] [--users 2000] [--entries 800] [--rounds 20]
"""

import argparse
import asyncio
import time

from redis.asyncio import Redis

from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_layout import timeline_key

BASE_ID = 900_000_000_000_000_000
FIRST_USER = 20_000_000


async def redis_cpu(redis: Redis) -> float:
    info = await redis.info("cpu")
    return info["used_cpu_user"] + info["used_cpu_sys"]


async def fill(cache: RedisTimelineCache, users: list[int], entries: int) -> None:
    ids = [BASE_ID + 1000 * n for n in range(entries)]
    for user in users:
        await cache.start(user)
        await cache.add([user], ids)
        await cache.complete(user)


async def measure(url: str, users: int, entries: int, rounds: int, chunk: int, clients: int) -> dict:
    redis = Redis.from_url(url, max_connections=clients + 4)
    cache = RedisTimelineCache(redis, capacity=entries, ttl_seconds=600)
    followers = list(range(FIRST_USER, FIRST_USER + users))
    await fill(cache, followers, entries)
    chunks = [followers[n : n + chunk] for n in range(0, users, chunk)]
    jobs = [(part, BASE_ID + 1000 * entries + r) for r in range(rounds) for part in chunks]
    queue = iter(jobs)

    async def client() -> int:
        return sum([await cache.add(part, [tweet_id]) for part, tweet_id in queue])

    cpu_before, started = await redis_cpu(redis), time.perf_counter()
    inserted = sum(await asyncio.gather(*(client() for _ in range(clients))))
    seconds, cpu = time.perf_counter() - started, await redis_cpu(redis) - cpu_before
    assert await cache.read(followers[-1], limit=1) == [jobs[-1][1]]
    await redis.delete(*map(timeline_key, followers))
    await redis.aclose()
    return {"inserts": inserted, "inserts_per_second": inserted / seconds, "redis_cpu_us_per_insert": cpu / inserted * 1e6,
            "redis_cpu_share": cpu / seconds}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    f = asyncio.run(measure(args.redis_url, args.users, args.entries, args.rounds, args.chunk, args.clients))
    print(f"{args.users} timelines of {args.entries} ids, chunks of {args.chunk}, {args.clients} clients: "
          f"{f['inserts']:,} inserts, {f['inserts_per_second']:,.0f} inserts/s, "
          f"Redis CPU {f['redis_cpu_us_per_insert']:.2f} us/insert ({f['redis_cpu_share']:.0%} of a core)")  # fmt: skip


if __name__ == "__main__":
    main()
