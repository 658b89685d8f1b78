"""`make bench`: the standard benchmark, in about ten minutes on a 2-core machine.

Runs the framework ceiling (echo), then the embedded mesh and mesh mode, each
loaded with the Reed98 graph the reference way; sweeps offered load for home
reads, user reads, posts and the 60/30/10 mix; measures fan-out lag and
timeline inserts; in mesh mode also raw Redis reads of one timeline and the
naive pull query at 1M tweets. Writes bench/results/ (JSON, Markdown, PNG).

    .venv/bin/python -m bench.run [--quick] [--out bench/results]
"""

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import grpc
from redis.asyncio import Redis

from bench import bulk, echo, loadgen, pull_baseline, report, systems
from bench.timeline_memory import measure as timeline_memory
from bench.workloads import Population, Workloads
from chirp_client.client import AsyncChirpClient
from chirp_client.graphs import read_edge_list
from chirp_client.loader import DEFAULT_EDGES, load
from services.snowflake.domain import SnowflakeGenerator
from services.timeline.adapters.redis_cache import timeline_key

STARTED = time.monotonic()


def log(line: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {line}", flush=True)


def rates(start: float, steps: int) -> list[float]:
    return [start * 2**n for n in range(steps)]


async def ceiling(workdir: Path, plan: dict) -> dict:
    server = await systems.start_echo(workdir, plan["port"])
    channel = grpc.aio.insecure_channel(server.target)
    call = echo.echo_call(channel)
    payload = b"x" * 64
    try:
        result = await loadgen.sweep("echo", lambda rng: ("echo", lambda: call(payload, timeout=5)),
                                     rates(250, plan["echo_steps"]), plan["seconds"], log)  # fmt: skip
    finally:
        await channel.close()
        await server.stop()
    return result.summary()


async def drive(running: systems.Running, plan: dict, mesh: bool) -> dict:
    users, follows = read_edge_list(DEFAULT_EDGES)
    log(f"[{running.name}] loading Reed98: {users} users, {len(follows)} follows, {plan['tweets_per_user']} tweets each")
    if mesh:  # through the API this takes ~5 minutes here: copy the same rows, then post through the API
        ids = await bulk.copy_graph(running.database_url, [f"username_{n}" for n in range(users)], follows)
        await _post_samples(running.target, ids, plan["tweets_per_user"])
    else:
        ids = await load(running.target, users, follows, plan["tweets_per_user"], concurrency=32)
    followers: dict[int, list[int]] = {}
    for a, b in follows:
        followers.setdefault(ids[b], []).append(ids[a])
    result: dict = {"target": running.target}
    async with AsyncChirpClient(running.target, timeout=5) as client:
        work = Workloads(client, Population(ids, followers))
        log(f"[{running.name}] warming every home timeline")
        await work.warm(ids)
        result["sweeps"] = {}
        for kind in ("home", "user", "post", "mix"):
            sweep = await loadgen.sweep(f"{running.name}/{kind}", work.pick(kind), rates(25, plan["steps"]), plan["seconds"], log)
            result["sweeps"][kind] = sweep.summary()
        post_rate = result["sweeps"]["post"]["saturation_per_second"] or 10
        log(f"[{running.name}] fan-out lag: {plan['lag_posts']} posts at {post_rate / 2:.0f}/s, 5 followers each")
        lags = await work.fanout_lag(plan["lag_posts"], max(1.0, post_rate / 2), sample=5)
        result["fanout_lag_seconds"] = lags
        fanout_addresses = _addresses(running.target, "fanout") if mesh else [running.target]
        log(f"[{running.name}] timeline inserts: a burst of {plan['burst_posts']} posts")
        result["inserts"] = await work.insert_rate(fanout_addresses, plan["burst_posts"])
        log(f"[{running.name}] {result['inserts']['inserts_per_second']:.0f} inserts/s")
        result["rss_bytes"] = running.rss_bytes()
        if mesh:
            result["redis_raw"] = await _raw_redis(ids, plan)
            result["pull"] = await _pull_versus_ours(running, work, plan)
    return result


async def _post_samples(target: str, ids: list[int], per_user: int) -> None:
    async with AsyncChirpClient(target, timeout=30) as client:
        work, limit = Workloads(client, Population(ids, {})), asyncio.Semaphore(32)

        async def post(author: int, n: int) -> None:
            async with limit:
                await work.post(author, f"sample tweet {n} from user {author} #chirp")

        await asyncio.gather(*(post(a, n) for a in ids for n in range(per_user)))
    log(f"posted {len(ids) * per_user} sample tweets")


async def _raw_redis(ids: list[int], plan: dict) -> dict:
    redis = Redis.from_url(systems.REDIS_BENCH_URL)
    key = timeline_key(ids[0])
    try:
        sweep = await loadgen.sweep("redis/zrange", lambda rng: ("zrange", lambda: redis.zrange(key, 0, -1, desc=True)),
                                    rates(250, plan["echo_steps"]), plan["seconds"], log)  # fmt: skip
    finally:
        await redis.aclose()
    return sweep.summary()


async def _pull_versus_ours(running: systems.Running, work: Workloads, plan: dict) -> dict:
    readers = await pull_baseline.bulk_load(running.database_url, plan["pull_users"], 200, plan["pull_tweets"], log)
    readers = readers[: plan["pull_readers"]]
    log(f"[pull] {len(readers)} readers follow 200+; building their timelines once")
    await work.warm(readers, concurrency=8)
    pull = await pull_baseline.PullQuery.open(running.database_url)
    try:
        rate, seconds = plan["pull_rate"], plan["pull_seconds"]
        ours = await loadgen.run_step(rate, seconds, lambda rng: ("home", lambda u=rng.choice(readers): work.home(u)))
        naive = await loadgen.run_step(rate, seconds, lambda rng: ("pull", lambda u=rng.choice(readers): pull.home(u)))
        explain = await pull.plan(readers[0])
    finally:
        await pull.close()
    for name, step in (("ours", ours), ("pull", naive)):
        p = step.percentiles_ms()
        log(f"[pull] {name:4}: {rate}/s  p50 {p['p50']:.1f} ms  p99 {p['p99']:.1f} ms  errors {sum(step.errors.values())}")
    return {"tweets": plan["pull_tweets"], "users": plan["pull_users"], "readers": len(readers), "rate": rate,
            "ours": ours.summary(), "pull": naive.summary(), "pull_plan": explain}  # fmt: skip


def _addresses(target: str, service: str) -> list[str]:
    named = dict(part.split("=", 1) for part in target.split(";"))
    return named[service].removeprefix("ipv4:").split(",")


async def snowflake_rate(seconds: float = 1.0) -> float:
    """Ids per second from one generator, one id per call, in this process (no RPC)."""
    generator = SnowflakeGenerator(1)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(1000):
            await generator.next_id()
        count += 1000
    return count / (time.perf_counter() - start)


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {"host": platform.node(), "cpu": cpu, "cores": len(os.sched_getaffinity(0)),
            "memory_gib": round(memory_kib / 2**20, 1), "python": platform.python_version(),
            "os": platform.platform()}  # fmt: skip


PLANS = {
    "standard": {"seconds": 5.0, "steps": 6, "echo_steps": 6, "tweets_per_user": 2, "lag_posts": 40, "burst_posts": 300,
                 "pull_users": 5000, "pull_tweets": 1_000_000, "pull_readers": 200, "pull_rate": 50, "pull_seconds": 8.0,
                 "port": 50200},
    "quick": {"seconds": 2.0, "steps": 3, "echo_steps": 2, "tweets_per_user": 1, "lag_posts": 10, "burst_posts": 50,
              "pull_users": 1000, "pull_tweets": 50_000, "pull_readers": 20, "pull_rate": 20, "pull_seconds": 2.0,
              "port": 50200},
}  # fmt: skip


async def main(out: Path, plan_name: str) -> None:
    plan = PLANS[plan_name]
    results: dict = {"plan": plan_name, "settings": plan, "machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    log(f"machine: {results['machine']}")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chirp-bench-") as scratch:
        workdir = Path(scratch)
        log("framework ceiling: echo on the same server stack")
        results["echo"] = await ceiling(workdir, plan)
        for name, start, mesh in (("embedded", systems.start_embedded, False), ("mesh", systems.start_mesh, True)):
            log(f"starting the {name} system")
            running = await start(workdir, plan["port"] + 10)
            try:
                results[name] = await drive(running, plan, mesh)
            finally:
                await running.stop()
    results["snowflake_ids_per_second"] = await snowflake_rate()
    results["redis_memory"] = await timeline_memory(systems.REDIS_BENCH_URL.rsplit("/", 1)[0] + "/15", 800, 50)
    results["seconds"] = round(time.monotonic() - STARTED, 1)
    report.write(results, out)
    (out / "latest.json").write_text(json.dumps(results, indent=1))
    log(f"wrote {out}/latest.json, summary.md and plots in {results['seconds']:.0f} s")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--quick", action="store_true", help="a short smoke run (minutes less, figures rougher)")
    args = parser.parse_args()
    asyncio.run(main(args.out, "quick" if args.quick else "standard"))


if __name__ == "__main__":
    cli()
