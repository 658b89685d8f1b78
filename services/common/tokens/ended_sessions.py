"""Session families ended lately (logout, a password change, a reused refresh token), whose access tokens stop at once.

An access token carries its session family in `sid`. The account service
marks a family as it ends it; every verifier asks `is_ended` on each call.
Kept and shared as marks.py keeps every mark, for one access-token
lifetime plus the leeway (after that the tokens have expired anyway), so
memory holds only the sessions ended in the last 15 minutes by default.
With Redis, an ended session's access tokens stop everywhere within
POLL_SECONDS; on the embedded mesh, at once.
"""

from redis.asyncio import Redis, RedisCluster

from services.common.tokens.access import LEEWAY_SECONDS
from services.common.tokens.marks import MemoryMarks, RedisMarks
from services.common.tokens.redis_layout import ENDED_SESSIONS_KEY


def kept_seconds(access_token_ttl_seconds: int) -> int:
    return access_token_ttl_seconds + 2 * LEEWAY_SECONDS


class MemoryEndedSessions(MemoryMarks):
    def is_ended(self, session: str) -> bool:
        return session in self._marked


class RedisEndedSessions(RedisMarks, MemoryEndedSessions):
    def __init__(self, redis: Redis | RedisCluster, kept: float):
        super().__init__(redis, ENDED_SESSIONS_KEY, str, kept)
