"""What every fault test ends with: the system of record holds every acknowledged write, counts are exact,
and every user's home timeline holds exactly the expected tweets, newest first, once; and a report of the run."""

import asyncio
import json
import statistics
import time
from dataclasses import dataclass, field

import asyncpg

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from tests.integration.chaos_load import Ledger, MixedLoad


@dataclass
class Truth:
    """PostgreSQL's rows: what the mesh committed, whatever it answered."""

    tweets: dict[int, tuple[int, bool]]  # id -> (author, deleted)
    follows: set[tuple[int, int]]
    likes: set[tuple[int, int]]  # (tweet, user)

    @classmethod
    async def read(cls, database_url: str) -> "Truth":
        db = await asyncpg.connect(database_url)
        try:
            tweets = await db.fetch("SELECT tweet_id, author_id, deleted FROM tweet.tweets")
            follows = await db.fetch("SELECT follower_id, followee_id FROM graph.follows")
            likes = await db.fetch("SELECT tweet_id, user_id FROM tweet.likes")
        finally:
            await db.close()
        return cls({r[0]: (r[1], r[2]) for r in tweets}, {(r[0], r[1]) for r in follows}, {(r[0], r[1]) for r in likes})

    def expected_home(self, reader: int) -> list[int]:
        authors = {followee for follower, followee in self.follows if follower == reader} | {reader}
        return sorted((t for t, (author, deleted) in self.tweets.items() if author in authors and not deleted), reverse=True)


def lost_writes(ledger: Ledger, truth: Truth) -> list[str]:
    """Acknowledged writes the system of record does not hold."""
    lost = [f"post {t}" for t in ledger.posts if t not in truth.tweets]
    lost += [f"delete {t}" for t in ledger.deleted if not truth.tweets.get(t, (0, True))[1]]
    lost += [f"like {t} by {u}" for t, users in ledger.likes.items() for u in users if (t, u) not in truth.likes]
    lost += [f"{'follow' if state else 'unfollow'} {pair}" for pair, state in ledger.follows.items()
             if state is not None and state != (pair in truth.follows)]
    return lost


async def count_violations(load: MixedLoad, truth: Truth) -> list[str]:
    """Like, follower and following counts as the API shows them, against the rows (and the acknowledged likes)."""
    wrong, ledger = [], load.ledger
    live = [t for t, (_, deleted) in truth.tweets.items() if not deleted]
    for start in range(0, len(live), 200):
        page = await load.client.tweet.BatchGetTweets(tweet_pb.BatchGetTweetsRequest(tweet_ids=live[start:start + 200]))
        for tweet in page.tweets:
            rows = sum(1 for t, _ in truth.likes if t == tweet.tweet_id)
            acked = len(ledger.likes.get(tweet.tweet_id, ()))
            if tweet.like_count != rows or (tweet.tweet_id not in ledger.doubtful_tweets and rows != acked):
                wrong.append(f"tweet {tweet.tweet_id}: like_count {tweet.like_count}, rows {rows}, acknowledged {acked}")
    users = await load.client.graph.BatchGetUsers(graph_pb.BatchGetUsersRequest(user_ids=load.users))
    for user in users.users:
        followers = sum(1 for _, b in truth.follows if b == user.user_id)
        following = sum(1 for a, _ in truth.follows if a == user.user_id)
        if (user.follower_count, user.following_count) != (followers, following):
            wrong.append(f"user {user.user_id}: counts {user.follower_count}/{user.following_count}, rows {followers}/{following}")
    return wrong


async def timeline_violations(load: MixedLoad, truth: Truth, timeout: float) -> tuple[list[str], float]:
    """Polls every home timeline until each is exactly the expected one; returns what is still wrong and the time it took."""
    started = time.monotonic()
    while True:
        wrong = []
        for reader in load.users:
            shown, expected = await load.home(reader), truth.expected_home(reader)
            if shown != expected:
                missing, extra = set(expected) - set(shown), set(shown) - set(expected)
                wrong.append(f"reader {reader}: {len(shown)} shown, {len(expected)} expected, {len(missing)} missing, {len(extra)} extra"
                             + (", out of order or twice" if not (missing or extra) else ""))
        elapsed = time.monotonic() - started
        if not wrong or elapsed > timeout:
            return wrong, elapsed
        await asyncio.sleep(0.5)


@dataclass
class Report:
    fault: str
    figures: dict = field(default_factory=dict)

    def add_run(self, ledger: Ledger, fault_at: float, load_seconds: float) -> None:
        errors = [t - fault_at for t, _, _ in ledger.errors]
        before = [seen - posted for posted, seen in ledger.probes if seen is not None and posted < fault_at]
        after = [(posted, seen) for posted, seen in ledger.probes if posted >= fault_at]
        first_after = next((seen for _, seen in after if seen is not None), None)
        self.figures.update(
            load_seconds=load_seconds, attempted=sum(ledger.attempted.values()), acknowledged=sum(ledger.acknowledged.values()),
            refused=sum(ledger.refused.values()), by_op={op: [ledger.attempted[op], ledger.acknowledged[op]] for op in ledger.attempted},
            client_errors=len(errors), error_codes=sorted({code for _, _, code in ledger.errors}),
            errors_from_s=round(min(errors), 2) if errors else None, errors_until_s=round(max(errors), 2) if errors else None,
            probe_latency_before_ms=round(1000 * statistics.median(before)) if before else None,
            probe_latency_max_ms=round(1000 * max((s - p for p, s in ledger.probes if s is not None), default=0)),
            fanout_recovered_after_s=round(first_after - fault_at, 2) if first_after else None,
            probes_never_seen=sum(1 for _, seen in ledger.probes if seen is None))

    def print(self) -> None:
        print(f"\nchaos report ({self.fault}): {json.dumps(self.figures, sort_keys=True)}")


async def final_check(load: MixedLoad, database_url: str, report: Report, timeout: float = 120.0) -> None:
    """The full check; the report is printed before anything is asserted, so a failing run still reports its figures."""
    truth = await Truth.read(database_url)
    lost = lost_writes(load.ledger, truth)
    timelines, took = await timeline_violations(load, truth, timeout)
    counts = await count_violations(load, truth)
    report.figures.update(lost_acknowledged_writes=len(lost), timeline_violations=len(timelines), count_violations=len(counts),
                          consistent_after_load_s=round(took, 2), tweets_in_store=len(truth.tweets))
    report.print()
    assert not lost, f"acknowledged writes lost: {lost[:20]}"
    assert not timelines, f"timelines wrong after {timeout}s: {timelines[:20]}"
    assert not counts, f"counts wrong: {counts[:20]}"
