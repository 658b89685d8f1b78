"""A bounded mixed load for fault tests: posts, follows, unfollows, likes, deletes and home reads, through the public API.

It remembers what the mesh acknowledged, what failed (and when), and which writes are in doubt (the call failed,
so the write may or may not have happened): the checks in chaos_checks.py hold the mesh to the acknowledged ones.
A probe author posts every few hundred milliseconds to one warm follower, to time how fast fan-out delivers.
"""

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import grpc

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import AsyncChirpClient
from tests.tokens import as_user

REFUSED = {grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.FAILED_PRECONDITION}
MIX = {"post": 30, "home": 30, "like": 15, "follow": 12, "delete": 8, "think": 5}


@dataclass
class Ledger:
    attempted: Counter = field(default_factory=Counter)
    acknowledged: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)  # a clear answer that the write did not apply (e.g. liked twice)
    errors: list[tuple[float, str, str]] = field(default_factory=list)  # (monotonic time, op, status)
    posts: dict[int, int] = field(default_factory=dict)  # acknowledged tweet id -> author
    deleted: set[int] = field(default_factory=set)  # acknowledged deletes
    doubtful_tweets: set[int] = field(default_factory=set)  # a delete or a like of these failed
    likes: dict[int, set[int]] = field(default_factory=dict)  # tweet -> users whose like was acknowledged
    follows: dict[tuple[int, int], bool | None] = field(default_factory=dict)  # last acknowledged state; None: in doubt
    probes: list[tuple[float, float | None]] = field(default_factory=list)  # (posted at, seen at)


class MixedLoad:
    def __init__(self, client: AsyncChirpClient, users: list[int], seed: int = 16):
        self.client, self.users, self.rng = client, users, random.Random(seed)
        self.ledger, self._busy = Ledger(), set()
        self.probe_author, self.probe_reader = users[0], users[1]

    async def setup(self, follows_each: int) -> None:
        """Each user follows a few others (the probe reader follows the probe author); then every timeline is read once."""
        for user in self.users:
            others = [u for u in self.users if u != user and u != self.probe_author]
            chosen = set(self.rng.sample(others, follows_each)) | ({self.probe_author} if user == self.probe_reader else set())
            for followee in chosen:
                await self._call("follow", self.client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=followee), metadata=as_user(user)))
                self.ledger.follows[(user, followee)] = True
        await asyncio.gather(*(self.home(u) for u in self.users))
        self.ledger.attempted.clear()
        self.ledger.acknowledged.clear()  # the report counts the run, not the setup

    async def run(self, seconds: float, workers: int = 6) -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(self._probe(deadline), *(self._worker(deadline) for _ in range(workers)))

    async def home(self, reader: int, page_size: int = 100) -> list[int]:
        ids, token = [], ""
        while True:
            request = timeline_pb.ListHomeTimelineRequest(page_size=page_size, page_token=token)
            page = await self.client.timeline.ListHomeTimeline(request, metadata=as_user(reader))
            ids += [t.tweet_id for t in page.tweets]
            if not (token := page.next_page_token):
                return ids

    async def _worker(self, deadline: float) -> None:
        ops, weights = list(MIX), list(MIX.values())
        while time.monotonic() < deadline:
            op = self.rng.choices(ops, weights)[0]
            user = self.rng.choice(self.users[2:])
            await getattr(self, f"_{op}")(user)

    async def _call(self, op: str, call) -> object | None:
        """Awaits the call; None when it failed (an error is recorded, unless the answer was a clear refusal)."""
        self.ledger.attempted[op] += 1
        try:
            result = await call
        except grpc.aio.AioRpcError as error:
            if error.code() in REFUSED:
                self.ledger.refused[op] += 1
            else:
                self.ledger.errors.append((time.monotonic(), op, error.code().name))
            return None
        self.ledger.acknowledged[op] += 1
        return result

    async def _post(self, author: int, op: str = "post") -> int | None:
        request = tweet_pb.CreateTweetRequest(text=f"{op} by {author} #{self.rng.randrange(10**6)}")
        response = await self._call(op, self.client.tweet.CreateTweet(request, metadata=as_user(author)))
        if response is not None:
            self.ledger.posts[response.tweet.tweet_id] = author
            return response.tweet.tweet_id
        return None

    async def _home(self, reader: int) -> None:
        await self._call("home", self.home(reader))

    async def _think(self, _user: int) -> None:
        await asyncio.sleep(0.05)

    async def _like(self, user: int) -> None:
        live = [t for t in self.ledger.posts if t not in self.ledger.deleted and user not in self.ledger.likes.get(t, ())]
        if not live:
            return
        tweet = self.rng.choice(live)
        self.ledger.likes.setdefault(tweet, set())
        if await self._call("like", self.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=tweet), metadata=as_user(user))) is None:
            self.ledger.doubtful_tweets.add(tweet)
        else:
            self.ledger.likes[tweet].add(user)

    async def _delete(self, user: int) -> None:
        own = [t for t, a in self.ledger.posts.items() if a == user and t not in self.ledger.deleted and t not in self._busy]
        if not own:
            return
        tweet = self.rng.choice(own)
        self._busy.add(tweet)
        if await self._call("delete", self.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=tweet), metadata=as_user(user))) is None:
            self.ledger.doubtful_tweets.add(tweet)
        else:
            self.ledger.deleted.add(tweet)

    async def _follow(self, user: int) -> None:
        followee = self.rng.choice([u for u in self.users if u not in (user, self.probe_author)])
        pair = (user, followee)
        if pair in self._busy:
            return
        self._busy.add(pair)
        following, op = self.ledger.follows.get(pair), "follow"
        if following:
            call, op = self.client.graph.UnfollowUser(graph_pb.UnfollowUserRequest(user_id=followee), metadata=as_user(user)), "unfollow"
        else:
            call = self.client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=followee), metadata=as_user(user))
        done = await self._call(op, call)
        self.ledger.follows[pair] = None if done is None else op == "follow"
        self._busy.discard(pair)

    async def _probe(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            posted_at = time.monotonic()
            tweet = await self._post(self.probe_author, "probe")
            if tweet is not None:
                self.ledger.probes.append((posted_at, await self._seen(tweet, posted_at + 60)))
            await asyncio.sleep(0.2)

    async def _seen(self, tweet: int, give_up: float) -> float | None:
        while time.monotonic() < give_up:
            try:
                if tweet in await self.home(self.probe_reader, page_size=20):
                    return time.monotonic()
            except grpc.aio.AioRpcError:
                pass
            await asyncio.sleep(0.05)
        return None
