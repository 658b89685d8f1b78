"""What the benchmark asks of a running mesh: the reference mix and its parts, and fan-out timing.

The mix is the reference benchmark's: 60% home-timeline reads, 30% user-timeline
reads, 10% posts, each by a user drawn uniformly from the loaded graph.
"""

import asyncio
import math
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
from redis.asyncio import Redis
from redis.exceptions import MaxConnectionsError

from bench.fanout_status import FanoutStatus
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client.client import AsyncChirpClient
from chirp_client.metadata import acting_as
from services.timeline.adapters.redis_layout import pack_id, timeline_key

MIX = (("home", 0.6), ("user", 0.3), ("post", 0.1))
LAG_TIMEOUT_SECONDS = 10.0

FollowerSample = Callable[[int], Awaitable[list[int]]]  # an author's id -> some of its followers' ids


@dataclass
class Population:
    ids: list[int]  # user ids, by their index in the graph
    followers: dict[int, list[int]]  # user id -> follower ids


class Workloads:
    def __init__(self, client: AsyncChirpClient, population: Population):
        self.client = client
        self.population = population

    def pick(self, kind: str):
        """A loadgen Pick for one kind of request, or for "mix"."""
        if kind == "mix":
            kinds, weights = zip(*MIX)
            return lambda rng: self._request(rng.choices(kinds, weights)[0], rng)
        return lambda rng: self._request(kind, rng)

    def _request(self, kind: str, rng: random.Random):
        user = rng.choice(self.population.ids)
        if kind == "home":
            return kind, lambda: self.home(user)
        if kind == "user":
            return kind, lambda: self.client.tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=user))
        text = f"benchmark tweet {rng.getrandbits(32):08x} #bench"
        return kind, lambda: self.post(user, text)

    async def home(self, user: int, page_size: int = 20):
        with acting_as(user):
            return await self.client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(page_size=page_size))

    async def post(self, user: int, text: str) -> int:
        with acting_as(user):
            return (await self.client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text=text))).tweet.tweet_id

    async def warm(self, users: list[int], concurrency: int = 16) -> None:
        """Reads every user's home timeline once, so the measured reads find them built."""
        limit = asyncio.Semaphore(concurrency)

        async def read(user: int) -> None:
            async with limit:
                await self.home(user)

        await asyncio.gather(*(read(u) for u in users))

    async def fanout_lag(self, schedule: list[int], followers_of: FollowerSample, probe: "Probe", rate: float,
                         seed: int = 3) -> list[float | None]:  # fmt: skip
        """Seconds from sending a post until it shows in each sampled follower's home timeline (None: not
        within LAG_TIMEOUT_SECONDS, or the post failed). One post per author in the schedule, in order,
        started on a Poisson schedule at rate."""
        rng = random.Random(seed)
        lags: list[float | None] = []

        async def one(author: int, n: int) -> None:
            followers = await followers_of(author)
            sent = time.monotonic()
            try:
                tweet_id = await self.post(author, f"lag probe {n}")
            except grpc.aio.AioRpcError:  # counted as never seen, rather than ending the run
                lags.extend([None] * len(followers))
                return
            lags.extend(await asyncio.gather(*(probe.seen(f, tweet_id, sent) for f in followers)))

        tasks = []
        for n, author in enumerate(schedule):
            tasks.append(asyncio.create_task(one(author, n)))
            await asyncio.sleep(rng.expovariate(rate))
        await asyncio.gather(*tasks)
        return lags

    async def insert_rate(self, status: FanoutStatus, authors: list[int], concurrency: int = 32) -> dict:
        """Posts a burst (one post per author in the list), and counts the timeline entries the fanout
        replicas wrote, from the first post until fan-out is idle again."""
        before = (await status.settle()).writes
        started, limit = time.monotonic(), asyncio.Semaphore(concurrency)

        async def post(n: int, author: int) -> None:
            async with limit:
                await self.post(author, f"burst {n}")

        await asyncio.gather(*(post(n, a) for n, a in enumerate(authors)))
        after = await status.settle()
        seconds = after.last_write - started
        return {"posts": len(authors), "timeline_inserts": after.writes - before, "seconds": round(seconds, 3),
                "inserts_per_second": round((after.writes - before) / seconds, 1), "drained": after.idle}  # fmt: skip


class Probe(ABC):
    """Waits for a tweet to show in a follower's home timeline. It polls every `interval` seconds at
    first, then every quarter of the time waited so far, and at least every `max_interval`: a lag is
    overstated by at most the larger of the interval and a quarter of itself (capped at max_interval),
    and a backlog can't turn the probes themselves into a flood of reads."""

    interval = 0.01
    max_interval = 0.25

    @abstractmethod
    async def visible(self, follower: int, tweet_id: int) -> bool: ...

    async def seen(self, follower: int, tweet_id: int, sent: float) -> float | None:
        """Seconds from sent until the tweet was seen, or None if not within LAG_TIMEOUT_SECONDS."""
        while time.monotonic() - sent < LAG_TIMEOUT_SECONDS:
            if await self.visible(follower, tweet_id):
                return time.monotonic() - sent
            await asyncio.sleep(max(self.interval, min(self.max_interval, (time.monotonic() - sent) / 4)))
        return None


class ApiProbe(Probe):
    """Reads the follower's home timeline through the Timeline service: what a user sees, pull lane
    included, at the price of loading the service it measures (so it polls less often)."""

    interval = 0.025

    def __init__(self, workloads: Workloads):
        self._workloads = workloads

    async def visible(self, follower: int, tweet_id: int) -> bool:
        page = await self._workloads.home(follower, page_size=50)
        return any(t.tweet_id == tweet_id for t in page.tweets)


class RedisProbe(Probe):
    """Asks Redis whether the id is in the follower's cached timeline (mesh mode): the moment fan-out
    wrote it, without loading the services."""

    interval = 0.005
    max_interval = 0.05  # an LPOS near the head is cheap: poll often enough that the lag is close

    def __init__(self, redis: Redis):
        self._redis = redis

    async def visible(self, follower: int, tweet_id: int) -> bool:
        try:
            return await self._redis.lpos(timeline_key(follower), pack_id(tweet_id)) is not None
        except MaxConnectionsError:  # no connection free for a second on a busy machine: polled again, not the run's end
            return False


def lag_ms(lags: list[float | None], percentile: float) -> float | None:
    """A percentile of the lags seen, in milliseconds (nearest rank); None if none was seen."""
    seen = sorted(x for x in lags if x is not None)
    return seen[max(0, math.ceil(percentile / 100 * len(seen)) - 1)] * 1000 if seen else None


def describe_lags(lags: list[float | None]) -> str:
    if lag_ms(lags, 100) is None:
        return f"no probe was seen within {LAG_TIMEOUT_SECONDS:.0f} s"
    never = sum(1 for x in lags if x is None)
    return f"lag p50 {lag_ms(lags, 50):.0f} ms, max {lag_ms(lags, 100):.0f} ms; {never} never seen"
