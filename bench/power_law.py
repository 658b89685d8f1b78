"""The generated power-law graph in mesh mode, and the naive design beside ours on it.

A power-law follow graph (`chirp_client.graphs.power_law_follows`: users set
by --graph-users, up to a million; about 200 followees each; from about
20,000 users up, the most-followed accounts are above the celebrity
threshold, and far above it as the graph grows) and its tweets are
bulk-copied into the mesh's `graph` and `tweet` schemas, the tables the
services read. On it the benchmark measures:

- home reads of readers who follow 200 or more accounts, both ways at the
  same offered rate, each alone in turns (as the echo floor is measured): through the Timeline service (one rebuild from
  PostgreSQL on the first read, then Redis), and with the classic pull
  query, run straight on PostgreSQL with its indexes;
- fan-out of the largest accounts under the threshold, and the pull lane of
  the celebrities above it (bench/workloads.py).

Fan-out writes only timelines that exist. Building them through the API
would take longer than the whole benchmark, so the followers the fan-out
measurements write to (and the sampled followers of the celebrities) get
a full built timeline straight in Redis (`fill_timelines`): 800 of the
copied tweets, as if each had read it once. Only those: at a million
users, a timeline for everyone would take 10 GB of Redis.
Fan-out then writes into full timelines, as it would in production, where
each insert also trims the oldest id.
"""

import time
from dataclasses import dataclass

import asyncpg
from redis.asyncio import Redis

from bench.bulk import CopiedGraph, copy_graph, copy_tweets
from chirp_client.graphs import power_law_follows
from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_layout import timeline_key

PULL_QUERY = (
    "SELECT t.tweet_id, t.author_id, t.text FROM tweet.tweets t JOIN graph.follows f ON t.author_id = f.followee_id "
    "WHERE f.follower_id = $1 AND NOT t.deleted ORDER BY t.tweet_id DESC LIMIT 20"
)
SAMPLE_FOLLOWERS = "SELECT follower_id FROM graph.follows WHERE followee_id = $1 ORDER BY random() LIMIT $2"
CELEBRITIES_FOLLOWED = (
    "SELECT f.follower_id, count(*) AS n FROM graph.follows f JOIN graph.users u ON u.user_id = f.followee_id "
    "WHERE f.follower_id = ANY($1::bigint[]) AND u.follower_count >= $2 GROUP BY f.follower_id"
)
ALL_FOLLOWERS = "SELECT DISTINCT follower_id FROM graph.follows WHERE followee_id = ANY($1::bigint[])"


@dataclass
class PowerLawGraph(CopiedGraph):
    tweet_ids: list[int]  # the copied tweets', oldest first

    def readers(self, minimum: int = 200) -> list[int]:
        """Users following at least minimum accounts."""
        return [u for u, n in zip(self.ids, self.following) if n >= minimum]

    def most_followed(self, count: int, below: float = float("inf"), at_least: int = 0) -> list[int]:
        """Up to count users with the most followers in [at_least, below), most first."""
        ranked = sorted((n for n in range(len(self.ids)) if at_least <= self.followers[n] < below), key=lambda n: -self.followers[n])
        return [self.ids[n] for n in ranked[:count]]

    def follower_count(self, user_id: int) -> int:
        return self.followers[self.ids.index(user_id)]

    def describe(self, threshold: int) -> dict:
        counts = sorted(self.followers, reverse=True)
        return {"users": len(self.ids), "follows": sum(self.following), "above_threshold": sum(1 for n in counts if n >= threshold),
                "top_follower_counts": counts[:5], "threshold": threshold}  # fmt: skip


TEMPLATE_USER = 2**63 - 1  # no user has this id: the timeline copied by fill_timelines
REALISTIC_EXPONENT = 0.55  # popularity falls off gently: a 200-followee reader follows a handful above 10,000 followers


async def load(database_url: str, users: int, mean_following: int, tweets: int, log, exponent: float = 1.0,
               prefix: str = "bulk", after: int = 0) -> PowerLawGraph:  # fmt: skip
    """Copies a power-law graph and its tweets into the mesh's tables (a second graph takes another
    handle prefix, and tweet ids above `after`)."""
    log(f"[power-law] generating and copying {users:,} users (about {mean_following} followees each, exponent {exponent}) "
        f"and {tweets:,} tweets")  # fmt: skip
    started = time.monotonic()
    first_ms = int(time.time() * 1000) - (40_000_000 if prefix == "bulk" else 30_000_000) - users  # before the Reed98 copy's ids
    handles = [f"{prefix}_{n}" for n in range(users)]
    copied = await copy_graph(database_url, handles, power_law_follows(users, mean_following, seed=11, exponent=exponent), first_ms)
    log(f"[power-law] {sum(copied.following):,} follows copied in {time.monotonic() - started:.0f} s")
    tweet_ids = await copy_tweets(database_url, copied.ids, tweets, after=after)
    log(f"[power-law] {tweets:,} tweets copied; {time.monotonic() - started:.0f} s in all")
    return PowerLawGraph(copied.ids, copied.followers, copied.following, tweet_ids)


async def fill_timelines(redis: Redis, user_ids: list[int], tweet_ids: list[int], ttl_seconds: int = 3600, batch: int = 2000) -> None:
    """Gives each user without a timeline a full built one holding tweet_ids (a timeline already there
    is left alone). One timeline is built through the cache, then copied to the others with DUMP and
    RESTORE, which write it byte for byte: seconds for 20,000 timelines."""
    template = timeline_key(TEMPLATE_USER)
    cache = RedisTimelineCache(redis, len(tweet_ids), ttl_seconds)
    await redis.delete(template)
    await cache.start(TEMPLATE_USER)
    await cache.add([TEMPLATE_USER], tweet_ids)
    await cache.complete(TEMPLATE_USER)
    payload = await redis.dump(template)
    await redis.delete(template)
    for start in range(0, len(user_ids), batch):
        async with redis.pipeline(transaction=False) as pipe:
            for user_id in user_ids[start : start + batch]:
                pipe.restore(timeline_key(user_id), ttl_seconds * 1000, payload)
            for reply in await pipe.execute(raise_on_error=False):
                if isinstance(reply, Exception) and "BUSYKEY" not in str(reply):
                    raise reply


class PullQuery:
    """The naive design's home-timeline read, on a pool like a service's; and follower samples."""

    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool

    @classmethod
    async def open(cls, database_url: str) -> "PullQuery":
        return cls(await asyncpg.create_pool(database_url, min_size=10, max_size=10))

    async def home(self, user_id: int) -> list:
        return await self._pool.fetch(PULL_QUERY, user_id)

    async def plan(self, user_id: int) -> str:
        rows = await self._pool.fetch("EXPLAIN " + PULL_QUERY.replace("$1", str(user_id)))
        return "\n".join(r[0] for r in rows)

    async def celebrities_followed(self, readers: list[int], threshold: int) -> list[int]:
        """How many accounts at or above the threshold each reader follows."""
        rows = await self._pool.fetch(CELEBRITIES_FOLLOWED, readers, threshold)
        counts = {row["follower_id"]: row["n"] for row in rows}
        return [counts.get(reader, 0) for reader in readers]

    async def sample_followers(self, user_id: int, count: int) -> list[int]:
        return [r[0] for r in await self._pool.fetch(SAMPLE_FOLLOWERS, user_id, count)]

    async def followers_of(self, user_ids: list[int]) -> list[int]:
        """Everyone who follows any of the users, once each."""
        return [r[0] for r in await self._pool.fetch(ALL_FOLLOWERS, user_ids)]

    async def close(self) -> None:
        await self._pool.close()
