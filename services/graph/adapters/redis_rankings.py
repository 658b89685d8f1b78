"""Rankings kept in Redis, shared by every Graph replica; this module owns their keys.

- `chirp:suggest:{<user id>}`: one user's ranking (user id as 16 hex digits
  in a hash tag), JSON `[computed_ms, [[candidate, followed_by_count,
  follower_count, [followee, ...]], ...]]`, best first, expiring after the
  longest staleness allowed.
"""

import json
from collections.abc import Sequence

from redis.asyncio import Redis, RedisCluster

from services.graph.suggestions import Candidate, Ranking

PREFIX = "chirp:suggest:{"


def ranking_key(user_id: int) -> str:
    return f"{PREFIX}{user_id:016x}}}"


def encode(ranking: Ranking) -> bytes:
    rows = [[c.user_id, c.followed_by_count, c.follower_count, list(c.followed_by)] for c in ranking.candidates]
    return json.dumps([ranking.computed_ms, rows], separators=(",", ":")).encode()


def decode(payload: bytes) -> Ranking:
    computed_ms, rows = json.loads(payload)
    return Ranking(computed_ms, tuple(Candidate(u, n, followers, tuple(via)) for u, n, followers, via in rows))


class RedisRankings:
    def __init__(self, redis: Redis | RedisCluster):
        self._redis = redis

    async def get(self, user_id: int) -> Ranking | None:
        payload = await self._redis.get(ranking_key(user_id))
        return decode(payload) if payload else None

    async def put(self, user_id: int, ranking: Ranking, ttl_seconds: int) -> None:
        await self._redis.set(ranking_key(user_id), encode(ranking), ex=ttl_seconds)

    async def drop(self, user_ids: Sequence[int]) -> int:
        dropped = 0
        for user_id in user_ids:  # one key per call: keys of several users may sit on different Cluster slots
            dropped += await self._redis.delete(ranking_key(user_id))
        return dropped
