"""Copies a follow graph (and tweets) straight into mesh mode's PostgreSQL tables.

Used where the API would take most of the benchmark's time budget: 37,624
Reed98 follows through FollowUser take about five minutes on a 2-core
machine in mesh mode. The rows are the ones the services would write
(Snowflake ids under a worker id no process uses, counts included); no
events are sent, so home timelines are built by their first read.

Follows are streamed into COPY as they are generated, so a graph of a
million users and two hundred million follows never sits in memory: the
follow counts are tallied on the way, and the users are copied after.
"""

import random
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

import asyncpg

from services.common.kernel.ids import compose, created_at, timestamp_ms
from services.common.runtime.config import Settings

BULK_WORKER = 1023


def _now_ms() -> int:
    return int(datetime.now(timezone.utc).timestamp() * 1000)


@dataclass
class CopiedGraph:
    ids: list[int]  # user ids by index
    followers: array  # follower count by index
    following: array  # following count by index


async def copy_graph(
    database_url: str,
    handles: list[str],
    follows: Iterable[tuple[int, int]],
    first_ms: int | None = None,
    celebrity_threshold: int = Settings.celebrity_threshold,
) -> CopiedGraph:
    """Copies users (by index into handles) and follows (index pairs, read once); users at or over the
    threshold are copied as celebrities, as the graph service would have made them."""
    start = first_ms or _now_ms() - 20_000_000
    ids = [compose(start + n, BULK_WORKER, 0) for n in range(len(handles))]  # one millisecond apart, oldest first
    followers, following = array("q", bytes(8 * len(ids))), array("q", bytes(8 * len(ids)))

    def edges():
        for a, b in follows:
            following[a] += 1
            followers[b] += 1
            yield ids[a], ids[b]

    connection = await asyncpg.connect(database_url)
    try:
        await connection.copy_records_to_table("follows", schema_name="graph", columns=["follower_id", "followee_id"], records=edges())
        since = _now_ms()
        users = (
            (u, h, h.casefold(), h, created_at(u), followers[n], following[n], since if followers[n] >= celebrity_threshold else 0)
            for n, (u, h) in enumerate(zip(ids, handles))
        )
        columns = ["user_id", "handle", "handle_key", "display_name", "created_at", "follower_count", "following_count", "celebrity_since"]
        await connection.copy_records_to_table("users", schema_name="graph", columns=columns, records=users)
        await _settle(connection, "graph.users", "graph.follows")
    finally:
        await connection.close()
    return CopiedGraph(ids, followers, following)


async def copy_tweets(database_url: str, authors: list[int], count: int, seed: int = 13, after: int = 0) -> list[int]:
    """Copies count tweets by authors drawn uniformly, their ids a few hours old and time-ordered (above
    `after`, the last id of an earlier copy, when given); returns the ids."""
    rng = random.Random(seed)
    start = max(_now_ms() - 10_000_000, timestamp_ms(after) + 1)
    ids = [compose(start + n // 4, BULK_WORKER, n % 4) for n in range(count)]
    rows = ((tweet_id, rng.choice(authors), f"bulk tweet {n} #bench") for n, tweet_id in enumerate(ids))
    connection = await asyncpg.connect(database_url)
    try:
        await connection.copy_records_to_table("tweets", schema_name="tweet", columns=["tweet_id", "author_id", "text"], records=rows)
        await _settle(connection, "tweet.tweets")
    finally:
        await connection.close()
    return ids


async def _settle(connection: asyncpg.Connection, *tables: str) -> None:
    """Vacuums and analyzes what a copy wrote, then checkpoints, so neither autovacuum nor a checkpoint
    of these rows runs during the measurements that follow (they would take the CPU the services need)."""
    for table in tables:
        await connection.execute(f"VACUUM (ANALYZE) {table}")
    await connection.execute("CHECKPOINT")
