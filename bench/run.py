"""`make bench`: the standard benchmark, in about fourteen minutes on a 2-core machine.

Runs the framework ceiling (echo), then the embedded mesh and mesh mode, each
loaded with the Reed98 graph the reference way; sweeps offered load for home
reads, user reads, posts and the 60/30/10 mix; measures fan-out lag under the
mix at half of its saturation, and timeline inserts. In mesh mode it also
measures raw Redis reads of one timeline, and runs the power-law phase
(bench/power_law_phase.py): the naive pull query at 1M and 10M tweets and on a
graph with a realistic celebrity share, the largest fan-outs under the
celebrity threshold and the pull lane above it. Each system's home reads are
also swept over REST through its gateway (bench/gateway.py), against the
gRPC home sweep of the same run. Every step records the CPU
time of the system's processes per request (bench/cpu.py). Search is
measured last (bench/search.py): indexing throughput and index bytes per
tweet on 1M generated tweets, query p99 on that index at 100 queries/s,
and searchable-after-post in mesh mode. Then Trending's refresh cost and
Redis bytes per tag at 1,000 tweets/s over 10,000 tags (bench/trending.py),
and notifications (bench/notifications.py): a viral burst of 10,000 likes,
the lag of everyone else's notifications meanwhile, listing p99; and what
tracing costs with a sampling ratio of 0 against tracing off (bench/telemetry_cost.py).
Writes bench/results/ (JSON, Markdown, PNG).

    .venv/bin/python -m bench.run [--quick] [--graph-users N] [--out bench/results]
"""

import argparse
import asyncio
import json
import random
import signal
import tempfile
import time
from pathlib import Path

from redis.asyncio import Redis

from bench import baselines, bulk, cpu, gateway, loadgen, power_law_phase, report, systems, telemetry_cost, trending, workloads
from bench import notifications as notifications_bench
from bench import search as search_bench
from bench import suggestions as suggestions_bench
from bench.fanout_status import FanoutStatus
from bench.machine import describe_machine
from bench.progress import STARTED, log
from bench.timeline_memory import measure as timeline_memory
from bench.workloads import Population, Workloads
from chirp_client.client import AsyncChirpClient
from chirp_client.credentials import key_holder_tokens
from chirp_client.loader import load, reference_graph


def rates(start: float, steps: int) -> list[float]:
    return [start * 2**n for n in range(steps)]


async def drive(running: systems.Running, plan: dict, mesh: bool) -> dict:
    users, follows, source = reference_graph()
    log(f"[{running.name}] loading {source}: {users} users, {len(follows)} follows, {plan['tweets_per_user']} tweets each")
    if mesh:  # through the API this takes ~5 minutes here: copy the same rows, then post through the API
        ids = (await bulk.copy_graph(running.database_url, [f"username_{n}" for n in range(users)], follows)).ids
        await _post_samples(running.target, ids, plan["tweets_per_user"])
    else:
        ids = await load(running.target, users, follows, plan["tweets_per_user"], concurrency=32)
    followers: dict[int, list[int]] = {}
    for a, b in follows:
        followers.setdefault(ids[b], []).append(ids[a])
    result: dict = {"target": running.target, "graph": source}
    redis, status = Redis.from_url(systems.REDIS_BENCH_URL), FanoutStatus(running.addresses("fanout"))
    try:
        async with AsyncChirpClient(running.target, timeout=5, credentials=key_holder_tokens()) as client:
            work = Workloads(client, Population(ids, followers))
            log(f"[{running.name}] warming every home timeline")
            await work.warm(ids)
            result["sweeps"] = {}
            spent = cpu.meter(lambda: [*running.pids().values(), *(cpu.engine_pids() if mesh else [])])
            for kind in ("home", "user", "post", "mix"):
                sweep = await loadgen.sweep(f"{running.name}/{kind}", work.pick(kind), rates(25, plan["steps"]), plan["seconds"], log, spent)
                result["sweeps"][kind] = sweep.summary()
            rest = await gateway.rest_sweep(running.name, running.rest_url, ids, rates(25, plan["steps"]), plan["seconds"], spent)
            result["rest_home"] = gateway.compared(result["sweeps"]["home"], rest)
            probe = workloads.RedisProbe(redis) if mesh else workloads.ApiProbe(work)
            result.update(await _fanout(running.name, work, status, probe, result["sweeps"]["mix"], plan))
            result["rss_bytes"] = running.rss_bytes()
            if mesh:
                result["redis_raw"] = await baselines.raw_redis(ids[0], rates(250, plan["echo_steps"]), plan["seconds"])
                result["power_law"] = await power_law_phase.run(running, work, redis, status, plan)
                result["suggestions"] = await suggestions_bench.in_run(running.database_url, plan)
    finally:
        await redis.aclose()
        await status.close()
    return result


async def _fanout(name: str, work: Workloads, status: FanoutStatus, probe: workloads.Probe, mix: dict, plan: dict) -> dict:
    """Fan-out lag under load, measured from idle, then the insert rate of a burst of posts."""
    waited = time.monotonic()
    await status.settle()  # the sweeps' overloaded steps leave a backlog
    log(f"[{name}] fan-out drained the sweeps' backlog in {time.monotonic() - waited:.1f} s")
    lag = await _lag_under_load(name, work, probe, mix, plan)
    rng = random.Random(5)
    log(f"[{name}] timeline inserts: a burst of {plan['burst_posts']} posts")
    inserts = await work.insert_rate(status, [rng.choice(work.population.ids) for _ in range(plan["burst_posts"])])
    log(f"[{name}] {inserts['inserts_per_second']:.0f} inserts/s")
    return {"fanout_lag": lag, "inserts": inserts}


async def _lag_under_load(name: str, work: Workloads, probe: workloads.Probe, mix: dict, plan: dict) -> dict:
    """Fan-out lag of Reed98 posts (every author far under the celebrity threshold) while the reference
    mix runs at half of its saturation rate."""
    background_rate = (mix["saturation_offered"] or 25) / 2
    followers, rng = work.population.followers, random.Random(7)
    authors = [u for u in work.population.ids if len(followers.get(u, [])) >= plan["lag_sample"]]

    async def sample(author: int) -> list[int]:
        return rng.sample(followers[author], plan["lag_sample"])

    seconds = plan["lag_posts"] / plan["lag_rate"]
    log(f"[{name}] fan-out lag: {plan['lag_posts']} posts at {plan['lag_rate']}/s, {plan['lag_sample']} followers each, "
        f"polled every {probe.interval * 1000:.0f} ms ({type(probe).__name__}), under the mix at {background_rate:.0f}/s")  # fmt: skip
    background, lags = await asyncio.gather(
        loadgen.run_step(background_rate, seconds + 2, work.pick("mix"), seed=9),
        work.fanout_lag([rng.choice(authors) for _ in range(plan["lag_posts"])], sample, probe, plan["lag_rate"]),
    )
    log(f"[{name}] {workloads.describe_lags(lags)}")
    return {"seconds": lags, "probe": type(probe).__name__, "poll_ms": probe.interval * 1000,
            "background_offered": background_rate, "background": background.summary()}  # fmt: skip


async def _post_samples(target: str, ids: list[int], per_user: int) -> None:
    async with AsyncChirpClient(target, timeout=30, credentials=key_holder_tokens()) as client:
        work, limit = Workloads(client, Population(ids, {})), asyncio.Semaphore(32)

        async def post(author: int, n: int) -> None:
            async with limit:
                await work.post(author, f"sample tweet {n} from user {author} #chirp")

        await asyncio.gather(*(post(a, n) for a in ids for n in range(per_user)))
    log(f"posted {len(ids) * per_user} sample tweets")


PLANS = {
    "standard": {"seconds": 5.0, "steps": 8, "echo_steps": 6, "tweets_per_user": 2, "burst_posts": 300,
                 "lag_posts": 60, "lag_rate": 4.0, "lag_sample": 5, "graph_users": 50_000, "pull_tweets": 1_000_000,
                 "pull_tweets_large": 10_000_000,
                 "pull_readers": 200, "pull_rate": 50, "pull_seconds": 12.0, "big_authors": 10, "celebrity_probes": 5,
                 "port": 18200},
    "quick": {"seconds": 2.0, "steps": 3, "echo_steps": 2, "tweets_per_user": 1, "burst_posts": 50,
              "lag_posts": 10, "lag_rate": 4.0, "lag_sample": 3, "graph_users": 2_000, "pull_tweets": 50_000,
              "pull_tweets_large": 200_000,
              "pull_readers": 20, "pull_rate": 20, "pull_seconds": 2.0, "big_authors": 3, "celebrity_probes": 2,
              "port": 18200},
}  # fmt: skip
MAX_GRAPH_USERS = 1_000_000


async def main(out: Path, plan_name: str, graph_users: int | None) -> None:
    # SIGTERM cancels the run, so its finally blocks stop the processes and clean up what it started
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    plan = {**PLANS[plan_name], **({"graph_users": graph_users} if graph_users else {})}
    results: dict = {"plan": plan_name, "settings": plan, "machine": describe_machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    log(f"machine: {results['machine']}")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chirp-bench-") as scratch:
        workdir = Path(scratch)
        log("framework ceiling: echo on the same server stack")
        results["echo"] = await baselines.ceiling(workdir, plan, rates(250, plan["echo_steps"]))
        for name, start, mesh in (("embedded", systems.start_embedded, False), ("mesh", systems.start_mesh, True)):
            log(f"starting the {name} system")
            running = await start(workdir, plan["port"] + 10)
            try:
                results[name] = await drive(running, plan, mesh)
            finally:
                await running.stop()
        log("search: indexing, index size, query latency on a large index, searchable after post (mesh mode)")
        results["search"] = await search_bench.run(workdir, plan_name)
        log("notifications: a viral burst of likes, others' lag meanwhile, listing latency (embedded)")
        results["notifications"] = await notifications_bench.measure(workdir, plan_name)
        log("telemetry: tracing on at a sampling ratio of 0 against tracing off, in turns (embedded)")
        results["telemetry"] = await telemetry_cost.compare(**telemetry_cost.PLANS[plan_name])
        for line in telemetry_cost.describe(results["telemetry"]):
            log(line)
    results["snowflake_ids_per_second"] = await baselines.snowflake_rate()
    results["redis_memory"] = await timeline_memory(systems.REDIS_BENCH_URL, 800, 50)
    results["trending"] = await trending.measure(systems.REDIS_BENCH_URL, trending.PLANS[plan_name])
    results["seconds"] = round(time.monotonic() - STARTED, 1)
    report.write(results, out)
    (out / "latest.json").write_text(json.dumps(results, indent=1))
    log(f"wrote {out}/latest.json, summary.md and plots in {results['seconds']:.0f} s")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--quick", action="store_true", help="a short smoke run (minutes less, figures rougher)")
    parser.add_argument("--graph-users", type=int, metavar="N",
                        help=f"users in the generated power-law graph (standard {PLANS['standard']['graph_users']:,}; "
                             f"at most {MAX_GRAPH_USERS:,}: about 200 follows each, streamed into PostgreSQL)")  # fmt: skip
    args = parser.parse_args()
    if args.graph_users is not None and not 1_000 <= args.graph_users <= MAX_GRAPH_USERS:
        parser.error(f"--graph-users must be between 1,000 and {MAX_GRAPH_USERS:,}, not {args.graph_users:,}")
    asyncio.run(main(args.out, "quick" if args.quick else "standard", args.graph_users))


if __name__ == "__main__":
    cli()
