"""Who-to-follow on the power-law graph: cold and kept reads, and what a follow costs to keep them fresh.

Runs Graph's real SuggestionService in this process over the graph schema
of a PostgreSQL database (users read through the Redis row cache, rankings
and each reader's hidden accounts kept in Redis, as Graph runs in mesh
mode), without the gRPC hop. Readers
are sampled from the power-law graph's users (handles `bulk_…`) who follow
someone. Measured:

- cold reads: each reader once with no kept ranking (the friends-of-friends
  aggregate on PostgreSQL, then the page), one at a time;
- kept reads: the same readers again, one at a time (the service time),
  then at `rate` per second for `seconds` (open loop), served from the
  rankings the cold reads kept;
- per follow: a reader follows their top suggestion through GraphService
  (the follow drops the kept ranking and has it computed again in the
  background); the follow's latency, the background aggregate's time, and
  the next read's staleness; then the follow is undone;
- Redis bytes per kept ranking (MEMORY USAGE).

In `make bench` (bench/run.py) it runs on mesh mode's database once the
power-law phase has copied the graph. On its own it copies a graph of
--graph-users into a fresh database and drops it after, or uses the graph
already in --database-url:

    .venv/bin/python -m bench.suggestions [--quick] [--graph-users N] [--database-url URL] [--redis-url URL]
"""

import argparse
import asyncio
import random
import time
import uuid

import asyncpg
from redis.asyncio import Redis

from bench import loadgen
from bench.bulk import copy_graph
from bench.progress import log
from bench.systems import POSTGRES_ADMIN_URL, REDIS_BENCH_URL
from chirp_client.graphs import power_law_follows
from services.common.messaging.outbox.postgres_store import PostgresOutbox
from services.common.runtime.config import Settings
from services.common.storage.postgres import PostgresDatabase
from services.common.storage.row_cache import RowCache
from services.common.visibility.cached import CachedHiddenAccounts
from services.common.visibility.copies import RedisHiddenCopies
from services.graph.adapters import cached_repository as cached_graph
from services.graph.adapters.postgres_candidates import PostgresCandidates
from services.graph.adapters.postgres_migrations import MIGRATIONS
from services.graph.adapters.postgres_repository import PostgresGraphRepository
from services.graph.adapters.redis_rankings import RedisRankings, ranking_key
from services.graph.domain import CelebrityLine
from services.graph.service import GraphService
from services.graph.suggestion_service import SuggestionService
from services.mesh.backends import redis_client
from services.mesh.wiring import GraphCopies

PLANS = {"standard": {"readers": 200, "rate": 50, "seconds": 10.0, "follows": 30, "graph_users": 50_000},
         "quick": {"readers": 30, "rate": 20, "seconds": 2.0, "follows": 5, "graph_users": 2_000}}  # fmt: skip
PLANS_SECONDS_STANDARD = 5.0  # bench/run.py's standard plan steps this long; its quick plan, less
READERS = "SELECT user_id FROM users WHERE handle LIKE 'bulk\\_%' AND following_count > 0 ORDER BY user_id"


class Unlimited:
    async def take(self, user_id: int, action: str) -> None:
        return None


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    at = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)  # noqa: E731
    return {"n": len(ordered), "p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": round(ordered[-1], 2)}


async def measure(database_url: str, redis_url: str, plan: dict) -> dict:
    db = await PostgresDatabase.open(database_url, "graph", MIGRATIONS)
    settings = Settings(redis_url=redis_url)
    redis = redis_client(settings)  # the services' own client and pool
    try:
        store = PostgresGraphRepository(db, PostgresOutbox(db), CelebrityLine(settings.celebrity_threshold))
        users = cached_graph.CachedGraphRepository(store, RowCache(redis, "user", cached_graph.encode, cached_graph.decode, 3600))
        copies = RedisHiddenCopies(redis)  # each reader's hidden accounts, as Graph keeps and reads them in mesh mode
        hidden = CachedHiddenAccounts(users, copies)
        service = SuggestionService(users, PostgresCandidates(db), RedisRankings(redis), hidden, settings.suggestion_max_age_seconds)
        graph = GraphService(users, None, GraphCopies(service), limiter=Unlimited(), hidden=copies)
        ids = [row[0] for row in await db.fetch_all(READERS)]
        readers = random.Random(15).sample(ids, min(plan["readers"], len(ids)))
        log(f"[suggestions] {len(readers)} readers of {len(ids):,} who follow someone")
        result = {"readers": len(readers), "cold_ms": await _cold(service, redis, readers)}
        log(f"[suggestions] cold: {result['cold_ms']}")
        result["kept_one_at_a_time_ms"] = await _one_at_a_time(service, readers)
        log(f"[suggestions] kept, one at a time: {result['kept_one_at_a_time_ms']}")
        kept = await loadgen.run_step(plan["rate"], plan["seconds"], lambda rng: ("suggestions", lambda: service.suggestions(rng.choice(readers), 20)))
        result["kept"] = kept.summary()
        log(f"[suggestions] kept, {plan['rate']}/s: {kept.percentiles_ms()}")
        result["per_follow"] = await _follows(graph, service, readers[: plan["follows"]])
        log(f"[suggestions] per follow: {result['per_follow']}")
        sizes = [await redis.memory_usage(ranking_key(r)) or 0 for r in readers[:20]]
        result["redis_bytes_per_ranking"] = round(sum(sizes) / len(sizes))
        await service.close()
        return result
    finally:
        await redis.aclose()
        await db.close()


async def _cold(service: SuggestionService, redis: Redis, readers: list[int]) -> dict:
    await redis.delete(*(ranking_key(r) for r in readers))
    times = []
    for reader in readers:
        started = time.perf_counter()
        await service.suggestions(reader, 20)
        times.append((time.perf_counter() - started) * 1000)
    return percentiles(times)


async def _one_at_a_time(service: SuggestionService, readers: list[int]) -> dict:
    times = []
    for reader in readers:
        started = time.perf_counter()
        await service.suggestions(reader, 20)
        times.append((time.perf_counter() - started) * 1000)
    return percentiles(times)


async def _follows(graph: GraphService, service: SuggestionService, readers: list[int]) -> dict:
    follow_ms, recompute_ms, staleness = [], [], []
    for reader in readers:
        top = (await service.suggestions(reader, 1)).items
        if not top:
            continue
        target = top[0].user.user_id
        started = time.perf_counter()
        await graph.follow(reader, target)
        followed = time.perf_counter()
        await service.refresher.settle()
        follow_ms.append((followed - started) * 1000)
        recompute_ms.append((time.perf_counter() - followed) * 1000)
        after = await service.suggestions(reader, 20)
        assert target not in [s.user.user_id for s in after.items], "a followed account is still suggested"
        staleness.append(after.staleness_seconds)
        await graph.unfollow(reader, target)
        await service.refresher.settle()
    return {"follows": len(follow_ms), "follow_ms": percentiles(follow_ms), "background_recompute_ms": percentiles(recompute_ms),
            "staleness_after_seconds_max": max(staleness, default=0)}  # fmt: skip


def report_rows(s: dict | None) -> list[tuple[str, str, str, str]]:
    """bench/report.py's rows (label, embedded, mesh, target) for the figures measure() gives."""
    if not s:
        return []
    cold, alone, kept, follow = s["cold_ms"], s["kept_one_at_a_time_ms"], s["kept"], s["per_follow"]
    return [
        (f"Suggestions p99 at {kept['offered_per_second']:g}/s from kept rankings (power-law graph, {s['readers']} readers; "
         f"one at a time: p50 {alone['p50']:.1f} ms, p99 {alone['p99']:.1f} ms)", "", f"{kept['latency_ms']['p99']:.1f} ms", "≤ 20 ms"),
        ("Suggestions with no kept ranking (the friends-of-friends aggregate), p50 / p99", "",
         f"{cold['p50']:.0f} ms / {cold['p99']:.0f} ms", ""),
        ("Suggestions kept fresh, per follow: the follow p50 / the background re-ranking p50, p99", "",
         f"{follow['follow_ms']['p50']:.1f} ms / {follow['background_recompute_ms']['p50']:.0f} ms, "
         f"{follow['background_recompute_ms']['p99']:.0f} ms", ""),
        ("Suggestions: Redis bytes per kept ranking (100 candidates)", "", f"{s['redis_bytes_per_ranking']:,}", ""),
    ]  # fmt: skip


async def in_run(database_url: str, run_plan: dict) -> dict:
    """bench/run.py's hook: on mesh mode's database, after the power-law phase copied the graph."""
    quick = run_plan["seconds"] < PLANS_SECONDS_STANDARD
    return await measure(database_url, REDIS_BENCH_URL, PLANS["quick" if quick else "standard"])


async def standalone(plan: dict, database_url: str | None, redis_url: str) -> dict:
    if database_url:
        return await measure(database_url, redis_url, plan)
    name = f"chirp_bench_suggest_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        await (await PostgresDatabase.open(url, "graph", MIGRATIONS)).close()  # the tables, then the copy
        log(f"[suggestions] copying a power-law graph of {plan['graph_users']:,} users")
        await copy_graph(url, [f"bulk_{n}" for n in range(plan["graph_users"])], power_law_follows(plan["graph_users"], 200, seed=11))
        return await measure(url, redis_url, plan)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--graph-users", type=int, help="users in the copied graph (standard 50,000: about 4 minutes to copy)")
    parser.add_argument("--database-url", help="a database whose graph schema already holds the graph (nothing is copied)")
    parser.add_argument("--redis-url", default=REDIS_BENCH_URL)
    args = parser.parse_args()
    plan = {**PLANS["quick" if args.quick else "standard"], **({"graph_users": args.graph_users} if args.graph_users else {})}
    print(asyncio.run(standalone(plan, args.database_url, args.redis_url)))


if __name__ == "__main__":
    cli()
