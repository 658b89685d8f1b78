"""The naive design beside ours, on the same data: 1M tweets in the mesh's own PostgreSQL.

A generated power-law graph (`chirp_client.graphs.power_law_follows`) and its
tweets are bulk-copied into the mesh's `graph` and `tweet` schemas, the tables
the services read. Then readers who follow 200 or more accounts read their home
timeline both ways at the same offered rate: through the Timeline service (one
rebuild from PostgreSQL on the first read, then Redis), and with the classic
pull query, run straight on PostgreSQL with its indexes.
"""

import time
from collections import Counter

import asyncpg

from bench.bulk import copy_graph, copy_tweets
from chirp_client.graphs import power_law_follows

PULL_QUERY = (
    "SELECT t.tweet_id, t.author_id, t.text FROM tweet.tweets t JOIN graph.follows f ON t.author_id = f.followee_id "
    "WHERE f.follower_id = $1 AND NOT t.deleted ORDER BY t.tweet_id DESC LIMIT 20"
)


async def bulk_load(database_url: str, users: int, mean_following: int, tweets: int, log) -> list[int]:
    """Copies a power-law graph and its tweets into the mesh's tables; returns the ids of readers following 200+."""
    follows = list(power_law_follows(users, mean_following, seed=11))
    log(f"[pull] copying {users} users, {len(follows)} follows and {tweets:,} tweets into PostgreSQL")
    first_ms = int(time.time() * 1000) - 40_000_000  # well before the Reed98 copy's ids
    ids = await copy_graph(database_url, [f"bulk_{n}" for n in range(users)], follows, first_ms)
    await copy_tweets(database_url, ids, tweets)
    following = Counter(a for a, _ in follows)
    return [ids[n] for n in range(users) if following[n] >= 200]


class PullQuery:
    """The naive design's home-timeline read, on a pool like a service's."""

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

    async def close(self) -> None:
        await self._pool.close()
