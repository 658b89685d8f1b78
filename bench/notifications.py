"""Notifications: a viral tweet's storage and the consumer's lag for everyone else, and listing latency.

On the embedded system (`python -m services.mesh`, its own process, over
gRPC): `readers` users each post `tweets_each` tweets that `likers_each`
others like, so each holds that many like groups. Then a viral burst:
`burst` distinct users like one tweet, `in_flight` at a time, while every
`probe_every_s` a fresh user is followed by another; the probe's lag runs
from the follow's reply to the moment the followed user's unread count
shows it (polled every 50 ms), i.e. through the outbox, the notification
queue and the store. After the burst settles: the viral tweet's rows (one
group and at most KEPT_ACTORS actors, through the store's own module) and
its exact count. Last, ListNotifications (page 20) for random readers,
open loop at `list_rate`/s for `list_seconds`.

    .venv/bin/python -m bench.notifications [--quick]
"""

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from bench import loadgen, systems
from bench.progress import log
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client.client import AsyncChirpClient
from chirp_client.credentials import key_holder_tokens
from chirp_client.metadata import acting_as
from services.common.storage.sqlite import Database
from services.common.storage.transactions import SqliteTransactions
from services.notification.adapters.sql_store import SqlNotificationStore
from services.notification.domain import KEPT_ACTORS

PLANS = {"standard": {"burst": 10_000, "readers": 100, "tweets_each": 25, "likers_each": 4, "in_flight": 64, "probe_every_s": 0.5,
                      "list_rate": 200, "list_seconds": 10},
         "quick": {"burst": 2_000, "readers": 40, "tweets_each": 25, "likers_each": 2, "in_flight": 64, "probe_every_s": 0.5,
                   "list_rate": 100, "list_seconds": 4}}  # fmt: skip
POLL_S = 0.05  # the probes poll no faster, so their reads do not load the server they measure


async def _bounded(calls, in_flight: int) -> list:
    limit = asyncio.Semaphore(in_flight)

    async def one(call):
        async with limit:
            return await call()

    return await asyncio.gather(*(one(c) for c in calls))


async def _users(client: AsyncChirpClient, prefix: str, count: int, in_flight: int) -> list[int]:
    maker = key_holder_tokens().as_service("account")  # profiles in bulk, as the account service makes them

    async def create(n: int) -> int:
        return (await client.graph.CreateUser(graph_pb.CreateUserRequest(handle=f"{prefix}{n}"), metadata=maker)).user.user_id

    return await _bounded([lambda n=n: create(n) for n in range(count)], in_flight)


async def _as(user: int, call):
    """call: makes the call (the acting user is read as the call starts)."""
    with acting_as(user):
        return await call()


async def _like(client: AsyncChirpClient, user: int, tweet: int) -> None:
    await _as(user, lambda: client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=tweet)))


async def _settle(client: AsyncChirpClient, user: int, want: int, timeout: float = 120.0) -> float:
    """Waits until the user's newest notification counts `want` actors; returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        page = await _as(user, lambda: client.notifications(1))
        if page.notifications and page.notifications[0].actor_count >= want:
            break
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def _probe(client: AsyncChirpClient, follower: int, followed: int) -> float:
    await _as(follower, lambda: client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=followed)))
    answered = time.perf_counter()
    while (await _as(followed, lambda: client.unread_count())).unread_count < 1:
        await asyncio.sleep(POLL_S)
    return time.perf_counter() - answered


async def _burst(client: AsyncChirpClient, plan: dict, viral: int, likers: list[int], probes: list[tuple[int, int]]) -> dict:
    started = time.perf_counter()
    likes = asyncio.ensure_future(_bounded([lambda u=u: _like(client, u, viral) for u in likers], plan["in_flight"]))
    lags = []
    for follower, followed in probes:
        if likes.done():
            break
        lags.append(asyncio.ensure_future(_probe(client, follower, followed)))
        await asyncio.sleep(plan["probe_every_s"])
    await likes
    liked_in = time.perf_counter() - started
    measured = sorted(await asyncio.gather(*lags))
    return {"likes_per_second": len(likers) / liked_in, "burst_seconds": liked_in, "probes": len(measured),
            "probe_lag_ms": {"p50": _at(measured, 50) * 1000, "p99": _at(measured, 99) * 1000, "max": measured[-1] * 1000}}  # fmt: skip


def _at(values: list[float], percentile: float) -> float:
    return values[min(len(values) - 1, int(len(values) * percentile / 100))]


async def _listing(client: AsyncChirpClient, plan: dict, readers: list[int]) -> dict:
    def pick(rng: random.Random):
        reader = rng.choice(readers)
        return "list", lambda: _as(reader, lambda: client.notifications(20))

    step = await loadgen.run_step(plan["list_rate"], plan["list_seconds"], pick)
    return step.summary()


async def _rows(data_dir: Path, user: int) -> tuple[int, int]:
    db = await Database.open(data_dir / "chirp.db")
    try:
        return await SqlNotificationStore(SqliteTransactions(db)).stored_rows(user)
    finally:
        await db.close()


async def measure(workdir: Path, plan_name: str) -> dict:
    plan = PLANS[plan_name]
    running = await systems.start_embedded(workdir, systems.free_ports(1))
    try:
        async with AsyncChirpClient(running.target, timeout=30, credentials=key_holder_tokens()) as client:
            return await _run(client, plan, workdir / "embedded-data")
    finally:
        await running.stop()


async def _run(client: AsyncChirpClient, plan: dict, data_dir: Path) -> dict:
    probes_needed = int(120 / plan["probe_every_s"])
    log(f"notifications: {plan['burst']:,} likers, {plan['readers']} readers, {probes_needed} probe accounts")
    likers = await _users(client, "liker", plan["burst"], plan["in_flight"])
    readers = await _users(client, "reader", plan["readers"], plan["in_flight"])
    watched = await _users(client, "watched", probes_needed, plan["in_flight"])
    posts = [(r, n) for r in readers for n in range(plan["tweets_each"])]
    tweets = await _bounded([lambda r=r, n=n: _as(r, lambda: client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text=f"post {n}")))
                             for r, n in posts], plan["in_flight"])  # fmt: skip
    rng = random.Random(7)
    likes = [(liker, t.tweet.tweet_id) for t in tweets for liker in rng.sample(likers, plan["likers_each"])]
    log(f"notifications: {len(likes):,} likes on {len(tweets):,} readers' tweets")
    await _bounded([lambda u=u, t=t: _like(client, u, t) for u, t in likes], plan["in_flight"])
    author = readers[0]
    viral = (await _as(author, lambda: client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="this one goes viral")))).tweet.tweet_id
    await _settle(client, readers[-1], 1)
    log(f"notifications: the viral burst: {plan['burst']:,} likes of one tweet, probes every {plan['probe_every_s']} s")
    probes = [(likers[n % len(likers)], watched[n]) for n in range(probes_needed)]
    burst = await _burst(client, plan, viral, likers, probes)
    burst["settled_after_s"] = await _settle(client, author, plan["burst"])
    page = await _as(author, lambda: client.notifications(1))
    groups, actors = await _rows(data_dir, author)
    log("notifications: listing latency")
    listing = await _listing(client, plan, readers)
    return {**plan, **burst, "viral_count": page.notifications[0].actor_count, "viral_summary": page.notifications[0].summary,
            "author_group_rows": groups, "author_actor_rows": actors, "kept_actors": KEPT_ACTORS,
            "author_groups_before_viral": plan["tweets_each"], "list": listing}  # fmt: skip


def describe(f: dict) -> list[str]:
    lag, listed = f["probe_lag_ms"], f["list"]["latency_ms"]
    return [
        f"viral burst: {f['burst']:,} likes of one tweet at {f['likes_per_second']:,.0f}/s ({f['in_flight']} in flight, {f['burst_seconds']:.1f} s); "
        f"settled {f['settled_after_s']:.2f} s after the last like",
        f"  stored for its author: {f['author_group_rows']} groups (their {f['author_groups_before_viral']} older ones included), "
        f"{f['author_actor_rows']:,} kept actor rows (at most {f['kept_actors']} per group); the viral count: {f['viral_count']:,} "
        f"(\"{f['viral_summary']}\")",
        f"  others' notifications during the burst ({f['probes']} follows): lag p50 {lag['p50']:.0f} ms, p99 {lag['p99']:.0f} ms, "
        f"max {lag['max']:.0f} ms (target: at most 1,000 ms)",
        f"ListNotifications (page 20), open loop at {f['list_rate']}/s for {f['list_seconds']} s: p50 {listed['p50']:.1f} ms, "
        f"p99 {listed['p99']:.1f} ms (target: at most 20 ms), {f['list']['ok']:,} ok, errors {f['list']['errors'] or 'none'}",
    ]


def report_rows(f: dict | None) -> list[tuple[str, str, str, str]]:
    """The summary table's rows (embedded column)."""
    if not f:
        return [("Notifications: listing p99, viral burst", "not measured", "", "")]
    lag, listed = f["probe_lag_ms"], f["list"]["latency_ms"]
    return [
        (f"Notifications: ListNotifications p99 at {f['list_rate']}/s (page 20)", f"{listed['p99']:.1f} ms", "", "≤ 20 ms"),
        (f"Notifications: others' lag during a burst of {f['burst']:,} likes of one tweet, p50 / p99",
         f"{lag['p50']:.0f} ms / {lag['p99']:.0f} ms", "", "≤ 1,000 ms"),
        ("Notifications: rows the viral tweet's author holds (groups / kept actors), its exact count",
         f"{f['author_group_rows']} / {f['author_actor_rows']:,}; {f['viral_count']:,}", "", "bounded"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 likes in the burst, fewer readers, a shorter listing run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chirp-bench-notifications-") as scratch:
        figures = asyncio.run(measure(Path(scratch), "quick" if args.quick else "standard"))
    print("\n".join(describe(figures)))


if __name__ == "__main__":
    main()
