"""A bounded mixed load (posts, follows, unfollows, likes, deletes, home reads) that keeps a model of
what was acknowledged, then settles what failed and checks the system against the model.

Each worker acts for its own users, one call at a time, so the last acknowledged operation on a pair
is the one that counts. A call that failed may or may not have been applied: after the fault, a failed
post is looked up by its unique text, and a failed follow, unfollow, like or delete is applied again
(each is idempotent). Anything acknowledged that the system no longer shows is a lost write.
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
from tests.conftest import as_user

WEIGHTS = {"post": 30, "follow": 20, "unfollow": 10, "like": 15, "delete": 5, "home": 20}
CALL_SECONDS = 5.0


@dataclass
class Report:
    attempted: Counter = field(default_factory=Counter)
    acknowledged: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # by status code
    error_times: list[float] = field(default_factory=list)  # monotonic
    ok_write_times: list[float] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # acknowledged writes the system no longer shows
    count_mismatches: list[str] = field(default_factory=list)

    def summary(self, fault_at: float) -> dict:
        after = [t - fault_at for t in self.error_times if t >= fault_at]
        first_error = min(after, default=0.0) + fault_at
        writes_after = [t - fault_at for t in self.ok_write_times if t > first_error]
        return {
            "attempted": sum(self.attempted.values()), "acknowledged": sum(self.acknowledged.values()),
            "by_operation": {op: f"{self.acknowledged[op]}/{self.attempted[op]}" for op in WEIGHTS},
            "client_errors": dict(self.errors), "errors_before_fault": len(self.error_times) - len(after),
            "errors_from_s": round(min(after), 2) if after else None, "errors_until_s": round(max(after), 2) if after else None,
            "writes_acknowledged_again_after_s": round(min(writes_after), 2) if writes_after else None,
            "lost_acknowledged_writes": len(self.lost), "count_mismatches": len(self.count_mismatches),
        }  # fmt: skip


class MixedLoad:
    def __init__(self, client: AsyncChirpClient, users: list[int], workers: int, pause: float = 0.02):
        self.client, self.users, self.workers, self.pause = client, users, workers, pause
        self.follows: dict[int, set[int]] = {u: set() for u in users}
        self.posted: dict[int, list[int]] = {u: [] for u in users}
        self.likes: set[tuple[int, int]] = set()
        self.deleted: set[int] = set()
        self.unsure_posts: dict[int, list[str]] = {u: [] for u in users}
        self.unsure_pairs: dict[tuple[str, int, int], bool] = {}  # (kind, actor, target) -> wanted, last call failed
        self.unsure_deletes: set[int] = set()
        self.report = Report()
        self._stop = asyncio.Event()
        self._texts = 0

    async def run(self, seconds: float) -> None:
        tasks = [asyncio.create_task(self._worker(w, random.Random(w))) for w in range(self.workers)]
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            pass
        self._stop.set()
        await asyncio.gather(*tasks)

    async def _worker(self, worker: int, rng: random.Random) -> None:
        mine = self.users[worker :: self.workers]
        while not self._stop.is_set():
            actor = rng.choice(mine)
            op = rng.choices(list(WEIGHTS), list(WEIGHTS.values()))[0]
            await self._once(op, actor, rng)
            await asyncio.sleep(self.pause)

    async def _once(self, op: str, actor: int, rng: random.Random) -> None:
        others = [u for u in self.users if u != actor]
        live = [t for ts in self.posted.values() for t in ts]
        own = [t for t in self.posted[actor] if t not in self.unsure_deletes]
        if (op == "like" and not live) or (op == "delete" and not own) or (op == "unfollow" and not self.follows[actor]):
            op = "home"
        self.report.attempted[op] += 1
        try:
            await self._call(op, actor, rng, others, live, own)
        except grpc.aio.AioRpcError as error:
            self.report.errors[error.code().name] += 1
            self.report.error_times.append(time.monotonic())
            return
        self.report.acknowledged[op] += 1
        if op != "home":
            self.report.ok_write_times.append(time.monotonic())

    async def _call(self, op: str, actor: int, rng: random.Random, others: list[int], live: list[int], own: list[int]) -> None:
        meta, tweet = as_user(actor), self.client.tweet
        if op == "post":
            self._texts += 1
            text = f"load {actor} {self._texts}"
            self.unsure_posts[actor].append(text)
            posted = await tweet.CreateTweet(tweet_pb.CreateTweetRequest(text=text), metadata=meta, timeout=CALL_SECONDS)
            self.unsure_posts[actor].remove(text)
            self.posted[actor].append(posted.tweet.tweet_id)
        elif op in ("follow", "unfollow"):
            target = rng.choice(others if op == "follow" else sorted(self.follows[actor]))
            await self._pair(op, actor, target, op == "follow")
        elif op == "like":
            target = rng.choice(live)
            await self._pair("like", actor, target, True)
        elif op == "delete":
            target = rng.choice(own)
            self.unsure_deletes.add(target)
            await tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=target), metadata=meta, timeout=CALL_SECONDS)
            self._deleted(actor, target)
        else:
            await self.client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(page_size=50), metadata=meta, timeout=CALL_SECONDS)

    def _deleted(self, author: int, tweet_id: int) -> None:
        self.unsure_deletes.discard(tweet_id)
        if tweet_id in self.posted[author]:
            self.posted[author].remove(tweet_id)
        self.deleted.add(tweet_id)

    async def _pair(self, kind: str, actor: int, target: int, wanted: bool) -> None:
        key = ("follow" if kind != "like" else "like", actor, target)
        self.unsure_pairs[key] = wanted
        await self._apply_pair(key, wanted)
        del self.unsure_pairs[key]
        self._set_pair(key, wanted)

    async def _apply_pair(self, key: tuple[str, int, int], wanted: bool) -> None:
        kind, actor, target = key
        meta = as_user(actor)
        if kind == "like":
            await self.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=target), metadata=meta, timeout=CALL_SECONDS)
        elif wanted:
            await self.client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=target), metadata=meta, timeout=CALL_SECONDS)
        else:
            await self.client.graph.UnfollowUser(graph_pb.UnfollowUserRequest(user_id=target), metadata=meta, timeout=CALL_SECONDS)

    def _set_pair(self, key: tuple[str, int, int], wanted: bool) -> None:
        kind, actor, target = key
        if kind == "like":
            self.likes.add((actor, target))
        elif wanted:
            self.follows[actor].add(target)
        else:
            self.follows[actor].discard(target)
