"""What the benchmark asks of a running mesh: the reference mix and its parts, and fan-out timing.

The mix is the reference benchmark's: 60% home-timeline reads, 30% user-timeline
reads, 10% posts, each by a user drawn uniformly from the loaded graph.
"""

import asyncio
import random
import time
from dataclasses import dataclass

import grpc
from chirp.fanout.v1 import fanout_service_pb2 as fanout_pb
from chirp.fanout.v1 import fanout_service_pb2_grpc as fanout_grpc
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb

from chirp_client.client import AsyncChirpClient
from chirp_client.metadata import acting_as

MIX = (("home", 0.6), ("user", 0.3), ("post", 0.1))


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
            return kind, lambda: self.client.tweets.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=user))
        text = f"benchmark tweet {rng.getrandbits(32):08x} #bench"
        return kind, lambda: self.post(user, text)

    async def home(self, user: int, page_size: int = 20):
        with acting_as(user):
            return await self.client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(page_size=page_size))

    async def post(self, user: int, text: str) -> int:
        with acting_as(user):
            return (await self.client.tweets.CreateTweet(tweet_pb.CreateTweetRequest(text=text))).tweet.tweet_id

    async def warm(self, users: list[int], concurrency: int = 16) -> None:
        """Reads every user's home timeline once, so the measured reads find them built."""
        limit = asyncio.Semaphore(concurrency)

        async def read(user: int) -> None:
            async with limit:
                await self.home(user)

        await asyncio.gather(*(read(u) for u in users))

    async def fanout_lag(self, posts: int, rate: float, sample: int, seed: int = 3) -> list[float | None]:
        """Seconds from sending a post until it shows in a sampled follower's home timeline (None: never, in 10 s)."""
        rng = random.Random(seed)
        authors = [u for u in self.population.ids if len(self.population.followers.get(u, [])) >= sample]
        lags: list[float] = []

        async def one(author: int, n: int) -> None:
            sent = time.monotonic()
            tweet_id = await self.post(author, f"lag probe {n}")
            followers = rng.sample(self.population.followers[author], sample)
            lags.extend(await asyncio.gather(*(self._seen(f, tweet_id, sent) for f in followers)))

        tasks = []
        for n in range(posts):
            tasks.append(asyncio.create_task(one(rng.choice(authors), n)))
            await asyncio.sleep(rng.expovariate(rate))
        await asyncio.gather(*tasks)
        return lags

    async def _seen(self, follower: int, tweet_id: int, sent: float, timeout: float = 10.0) -> float | None:
        while time.monotonic() - sent < timeout:
            page = await self.home(follower, page_size=50)
            if any(t.tweet_id == tweet_id for t in page.tweets):
                return time.monotonic() - sent
            await asyncio.sleep(0.01)
        return None

    async def insert_rate(self, fanout_addresses: list[str], posts: int, concurrency: int = 32) -> dict:
        """Posts a burst, and counts the timeline entries the fanout replicas wrote, until they stop."""
        channels = [grpc.aio.insecure_channel(a) for a in fanout_addresses]
        stubs = [fanout_grpc.FanoutServiceStub(c) for c in channels]

        async def writes() -> int:
            replies = await asyncio.gather(*(s.GetFanoutStatus(fanout_pb.GetFanoutStatusRequest()) for s in stubs))
            return sum(r.timeline_writes for r in replies)

        before, started = await writes(), time.monotonic()
        limit, rng = asyncio.Semaphore(concurrency), random.Random(5)

        async def post(n: int) -> None:
            async with limit:
                await self.post(rng.choice(self.population.ids), f"burst {n}")

        await asyncio.gather(*(post(n) for n in range(posts)))
        last, last_change = await writes(), time.monotonic()
        while time.monotonic() - last_change < 1.0:
            await asyncio.sleep(0.05)
            now = await writes()
            if now != last:
                last, last_change = now, time.monotonic()
        for channel in channels:
            await channel.close()
        seconds = last_change - started
        return {"posts": posts, "timeline_inserts": last - before, "seconds": round(seconds, 3),
                "inserts_per_second": round((last - before) / seconds, 1)}  # fmt: skip
