"""Trending's refresh cost and memory on the Redis store, at 1,000 tweets/s carrying 10,000 distinct tags.

Feeds the real RedisTrendStore with `minutes` of traffic at the rate (each
tweet 1 to 3 tags: one drawn uniformly, the others by Zipf's law, from 100,000 authors,
dated across those minutes), then times refreshes of the default window
with the real Refresher: wall time, this process's CPU and Redis's CPU
(INFO, so other clients of that server count too). Memory: MEMORY USAGE
of every key of the store, per tracked tag and per tweet, and of the tags'
own sorted sets. Clears its keys (redis_layout.EVERY_KEY) before and after.

    .venv/bin/python -m bench.trending [--quick] [--redis-url URL]
"""

import argparse
import asyncio
import itertools
import random
import statistics
import time

from redis.asyncio import Redis

from bench.progress import log
from services.common.kernel.ids import compose
from services.common.runtime.config import Settings
from services.mesh.backends import REDIS_CONNECTIONS, redis_client
from services.trending.adapters import redis_layout as layout
from services.trending.adapters.redis_trends import RedisTrendStore
from services.trending.domain import DEFAULT_WINDOW_MINUTES, MINUTE_MS, RETENTION_MINUTES, Use
from services.trending.refresher import Refresher

REDIS_URL = "redis://127.0.0.1:6379/12"  # a database of its own: `make bench` runs mesh mode in 14
PLANS = {"standard": {"rate": 1_000, "tags": 10_000, "authors": 100_000, "minutes": 2, "refreshes": 6},
         "quick": {"rate": 1_000, "tags": 10_000, "authors": 100_000, "minutes": 1, "refreshes": 3}}  # fmt: skip
START_MINUTE = 29_400_000  # early 2025, in minutes since the Unix epoch
IN_FLIGHT = REDIS_CONNECTIONS  # the services' own client and pool


def traffic(plan: dict, seed: int = 12) -> list[Use]:
    rng = random.Random(seed)
    weights = list(itertools.accumulate(1 / rank for rank in range(1, plan["tags"] + 1)))
    tags = [f"tag{n}" for n in range(plan["tags"])]
    uses = []
    per_minute = plan["rate"] * 60
    for n in range(per_minute * plan["minutes"]):
        minute = START_MINUTE + n // per_minute
        posted_ms = minute * MINUTE_MS + (n % per_minute) * MINUTE_MS // per_minute
        popular = rng.choices(tags, cum_weights=weights, k=rng.randint(0, 2))  # a few tags are far more used than most
        chosen = tuple(dict.fromkeys([*popular, rng.choice(tags)]))
        uses.append(Use(compose(posted_ms, 1, n % 4096), rng.randrange(plan["authors"]), minute, chosen))
    return uses


async def _clear(redis: Redis) -> None:
    async for key in redis.scan_iter(match=layout.EVERY_KEY, count=1000):
        await redis.unlink(key)


async def _feed(store: RedisTrendStore, uses: list[Use]) -> float:
    """Adds every use, IN_FLIGHT at a time; returns adds per second."""
    started = time.perf_counter()
    for start in range(0, len(uses), IN_FLIGHT):
        trim = uses[start].minute - RETENTION_MINUTES
        await asyncio.gather(*(store.add(use, trim) for use in uses[start : start + IN_FLIGHT]))
    return len(uses) / (time.perf_counter() - started)


async def _redis_cpu(redis: Redis) -> float:
    info = await redis.info("cpu")
    return info["used_cpu_user"] + info["used_cpu_sys"]


async def _refreshes(store: RedisTrendStore, redis: Redis, now_ms: int, count: int) -> list[dict]:
    clock = [now_ms]
    refresher = Refresher(store, lambda: clock[0], owner="bench")
    runs = []
    for _ in range(count):
        wall, cpu, server = time.perf_counter(), time.process_time(), await _redis_cpu(redis)
        assert await refresher.refresh([DEFAULT_WINDOW_MINUTES])
        runs.append({"wall_ms": (time.perf_counter() - wall) * 1000, "cpu_ms": (time.process_time() - cpu) * 1000,
                     "redis_cpu_ms": (await _redis_cpu(redis) - server) * 1000})  # fmt: skip
        clock[0] += 30_000
    ranking = await store.ranking(DEFAULT_WINDOW_MINUTES)
    runs[-1]["ranked"] = len(ranking.trends)
    return runs


async def _bytes(redis: Redis, keys: list) -> int:
    """MEMORY USAGE summed over the keys, pipelined."""
    total = 0
    for start in range(0, len(keys), 1000):
        async with redis.pipeline(transaction=False) as pipe:
            for key in keys[start : start + 1000]:
                pipe.memory_usage(key, samples=0)
            total += sum(size or 0 for size in await pipe.execute())
    return total


async def _own_bytes(redis: Redis) -> tuple[int, int]:
    """Bytes held by every key of the store, and by the tags' own sorted sets (other clients' keys are left out)."""
    keys = [key async for key in redis.scan_iter(match=layout.EVERY_KEY, count=1000)]
    tag_keys = [k for k in keys if k.startswith((layout.authors_key("").encode(), layout.uses_key("").encode()))]
    return await _bytes(redis, keys), await _bytes(redis, tag_keys)


async def measure(url: str, plan: dict) -> dict:
    redis = redis_client(Settings(redis_url=url))
    store = RedisTrendStore(redis)
    try:
        await _clear(redis)
        uses = traffic(plan)
        log(f"trending: feeding {len(uses):,} tweets ({plan['minutes']} min at {plan['rate']:,}/s) over {plan['tags']:,} tags")
        adds = await _feed(store, uses)
        used, tag_bytes = await _own_bytes(redis)
        tracked = len(await store.active_tags(0))
        now_ms = (uses[-1].minute + 1) * MINUTE_MS
        runs = await _refreshes(store, redis, now_ms, plan["refreshes"])
        version = (await redis.info("server"))["redis_version"]
    finally:
        await _clear(redis)
        await redis.aclose()
    per = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
    return {**plan, "redis_version": version, "tweets": len(uses), "adds_per_second": adds, "tracked_tags": tracked,
            "refresh_wall_ms": per("wall_ms"), "refresh_cpu_ms": per("cpu_ms"), "refresh_redis_cpu_ms": per("redis_cpu_ms"),
            "refreshes": runs, "ranked": runs[-1]["ranked"], "redis_bytes_per_tag": used / tracked,
            "redis_bytes_per_tweet": used / len(uses), "tag_key_bytes_mean": tag_bytes / tracked}  # fmt: skip


def describe(f: dict) -> list[str]:
    hour = f["redis_bytes_per_tweet"] * f["rate"] * 3600
    return [
        f"Redis {f['redis_version']}; {f['tweets']:,} tweets ({f['minutes']} min at {f['rate']:,}/s), {f['tracked_tags']:,} tags tracked",
        f"  store adds: {f['adds_per_second']:,.0f} tweets/s from one process ({IN_FLIGHT} in flight)",
        f"  refresh of the {DEFAULT_WINDOW_MINUTES}-minute window (median of {len(f['refreshes'])}): {f['refresh_wall_ms']:.0f} ms wall, "
        f"{f['refresh_cpu_ms']:.0f} ms CPU here, {f['refresh_redis_cpu_ms']:.0f} ms CPU in Redis; {f['ranked']} ranked",
        f"  memory: {f['redis_bytes_per_tag']:,.0f} bytes per tracked tag (MEMORY USAGE of every key; {f['redis_bytes_per_tweet']:.0f} per tweet, "
        f"so {hour / 2**30:.2f} GiB per hour of traffic); the tag's own two sorted sets: {f['tag_key_bytes_mean']:,.0f} bytes on average",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one minute of traffic and three refreshes")
    parser.add_argument("--redis-url", default=REDIS_URL)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.redis_url, PLANS["quick" if args.quick else "standard"]))
    print("\n".join(describe(figures)))


if __name__ == "__main__":
    main()
