"""The power-law phase of `make bench` (mesh mode): the generated graph, the pull query beside our
home read (at pull_tweets, again at pull_tweets_large, and on a second graph whose celebrity share is
realistic), the largest fan-outs under the celebrity threshold, and the pull lane above it.
See bench/power_law.py for the graph and how it is loaded."""

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc
from redis.asyncio import Redis

from bench import bulk, echo, loadgen, power_law, systems, workloads
from bench.fanout_status import FanoutStatus
from bench.progress import log
from bench.workloads import Workloads
from services.common.runtime.config import Settings

PULL_TURNS = 4  # turns each of ours and the pull query take at the comparison's rate


async def run(running: systems.Running, work: Workloads, redis: Redis, status: FanoutStatus, plan: dict) -> dict:
    threshold = Settings.celebrity_threshold
    graph = await power_law.load(running.database_url, plan["graph_users"], 200, plan["pull_tweets"], log)
    result: dict = {"graph": graph.describe(threshold)}
    log(f"[power-law] {result['graph']}")
    readers = graph.readers()[: plan["pull_readers"]]
    log(f"[power-law] {len(readers)} readers follow 200+; building their timelines once")
    await work.warm(readers, concurrency=8)
    big = graph.most_followed(plan["big_authors"], below=threshold)
    celebrities = graph.most_followed(plan["celebrity_probes"], at_least=threshold)
    pull = await power_law.PullQuery.open(running.database_url)
    try:
        async with _echo_floor(running, plan) as floor:
            samples = {a: await pull.sample_followers(a, plan["lag_sample"]) for a in big + celebrities}
            await _fill(redis, graph, {*await pull.followers_of(big), *(f for a in celebrities for f in samples[a])})
            result["pull"] = await _pull_versus_ours(work, pull, floor, readers, plan, plan["pull_tweets"], threshold)
            result.update(await _big_accounts(work, redis, status, graph, big, samples))
            result.update(await _celebrities(work, celebrities, samples))
            result["pull_large"] = await _at_more_tweets(running, work, pull, floor, graph, readers, plan, threshold)
            result["realistic"] = await _realistic(running, work, pull, floor, plan, threshold, graph.tweet_ids[-1])
    finally:
        await pull.close()
    return result


@asynccontextmanager
async def _echo_floor(running: systems.Running, plan: dict) -> AsyncIterator[loadgen.Pick]:
    """The echo service, started again for this phase: its p99 at the comparison's rate, taken in turns
    with ours and the pull query, is the floor under the same conditions (the run's first echo
    measurement was taken on an idle machine, before any database was loaded)."""
    server = await systems.start_echo(running.log.parent, plan["port"])
    channel = grpc.aio.insecure_channel(server.target)
    call, payload = echo.echo_call(channel), b"x" * 64
    try:
        yield lambda rng: ("echo", lambda: call(payload, timeout=5))
    finally:
        await channel.close()
        await server.stop()


async def _at_more_tweets(running: systems.Running, work: Workloads, pull: power_law.PullQuery, floor: loadgen.Pick,
                          graph: power_law.PowerLawGraph, readers: list[int], plan: dict, threshold: int) -> dict:  # fmt: skip
    """The same readers once the table holds pull_tweets_large tweets: the pull query reads more, ours does not.
    The copy outlasts the read model's five-minute lifetimes, so the readers are warmed again first, as
    they were for the first comparison: both compare warm reads, the state an active reader is in."""
    more = plan["pull_tweets_large"] - plan["pull_tweets"]
    log(f"[power-law] copying {more:,} more tweets by the same users")
    graph.tweet_ids += await bulk.copy_tweets(running.database_url, graph.ids, more, seed=19, after=graph.tweet_ids[-1])
    await work.warm(readers, concurrency=8)
    return await _pull_versus_ours(work, pull, floor, readers, plan, plan["pull_tweets_large"], threshold)


async def _realistic(running: systems.Running, work: Workloads, pull: power_law.PullQuery, floor: loadgen.Pick, plan: dict,
                     threshold: int, after: int) -> dict:  # fmt: skip
    """A second graph, whose popularity falls off gently (power_law.REALISTIC_EXPONENT), so a reader of
    200+ accounts follows a handful above the threshold, as on Twitter; its own users and tweets."""
    graph = await power_law.load(running.database_url, plan["graph_users"], 200, plan["pull_tweets"], log,
                                 exponent=power_law.REALISTIC_EXPONENT, prefix="plain", after=after)  # fmt: skip
    readers = graph.readers()[: plan["pull_readers"]]
    log(f"[power-law] realistic graph: {graph.describe(threshold)}; warming {len(readers)} readers")
    await work.warm(readers, concurrency=8)
    compared = await _pull_versus_ours(work, pull, floor, readers, plan, plan["pull_tweets"], threshold)
    return {"graph": graph.describe(threshold), "exponent": power_law.REALISTIC_EXPONENT, **compared}


async def _fill(redis: Redis, graph: power_law.PowerLawGraph, users: set[int]) -> None:
    """Full timelines for the followers the fan-out measurements write to (about 10 KB each in Redis)."""
    filler = random.Random(17).sample(graph.tweet_ids, min(len(graph.tweet_ids), Settings.timeline_length))
    await power_law.fill_timelines(redis, sorted(users), filler)
    log(f"[power-law] {len(users):,} followers' timelines filled with {len(filler)} of the copied tweets each")


async def _pull_versus_ours(work: Workloads, pull: power_law.PullQuery, floor: loadgen.Pick, readers: list[int], plan: dict,
                            tweets: int, threshold: int) -> dict:  # fmt: skip
    rate, seconds = plan["pull_rate"], plan["pull_seconds"]
    celebrities = await pull.celebrities_followed(readers, threshold)
    log(f"[pull] {tweets:,} tweets; the readers follow {sum(celebrities) / len(celebrities):.1f} accounts above the threshold on average")
    # each alone, in turns, the echo floor among them: side by side, each one's tail was the other's
    # load (the pull query's PostgreSQL work on the same cores); in turns, the machine's noise hits all alike
    steps = await loadgen.in_turns(rate, seconds, {
        "ours": lambda rng: ("home", lambda u=rng.choice(readers): work.home(u)),
        "pull": lambda rng: ("pull", lambda u=rng.choice(readers): pull.home(u)),
        "echo": floor,
    }, turns=PULL_TURNS)  # fmt: skip
    ours, naive, echo_floor = steps["ours"], steps["pull"], steps["echo"]
    for name, step in (("ours", ours), ("pull", naive), ("echo", echo_floor)):
        p = step.percentiles_ms()
        log(f"[pull] {name:4}: {rate}/s  p50 {p['p50']:.1f} ms  p99 {p['p99']:.1f} ms  errors {sum(step.errors.values())}")
    return {"tweets": tweets, "readers": len(readers), "rate": rate, "ours": ours.summary(), "pull": naive.summary(), "echo": echo_floor.summary(),
            "pull_plan": await pull.plan(readers[0]), "celebrities_followed_mean": sum(celebrities) / len(celebrities)}  # fmt: skip


async def _big_accounts(work: Workloads, redis: Redis, status: FanoutStatus, graph: power_law.PowerLawGraph,
                        big: list[int], samples: dict[int, list[int]]) -> dict:  # fmt: skip
    """The largest fan-outs under the celebrity threshold: lag, one post from each at about one a
    second; then inserts/s, one more post from each, all at once."""
    if not big:
        return {}
    counts = sorted(graph.follower_count(u) for u in big)
    log(f"[power-law] fan-out lag of {len(big)} authors with {counts[0]:,}–{counts[-1]:,} followers, a post from each")
    lags = await work.fanout_lag(big, _sampled(samples), workloads.RedisProbe(redis), 1.0)
    log(f"[power-law] big fan-out: {workloads.describe_lags(lags)}")
    inserts = await work.insert_rate(status, big)
    log(f"[power-law] {inserts['timeline_inserts']:,} inserts in {inserts['seconds']} s: {inserts['inserts_per_second']:,.0f}/s")
    return {"big_fanout": {"authors": len(big), "follower_counts": counts, "lag_seconds": lags, "inserts": inserts}}


async def _celebrities(work: Workloads, celebrities: list[int], samples: dict[int, list[int]]) -> dict:
    """The pull lane: a post from each celebrity, read by sampled followers through the API."""
    if not celebrities:
        return {}
    log(f"[power-law] pull lane: {len(celebrities)} celebrity posts, read through the API")
    lags = await work.fanout_lag(celebrities, _sampled(samples), workloads.ApiProbe(work), 2.0)
    log(f"[power-law] celebrity posts: {workloads.describe_lags(lags)}")
    return {"celebrity_lag_seconds": lags}


def _sampled(samples: dict[int, list[int]]):
    async def followers_of(author: int) -> list[int]:
        return samples[author]

    return followers_of
