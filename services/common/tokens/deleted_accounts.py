"""Accounts deleted lately, whose access tokens must stop working before they expire.

The account service marks an account when it handles `UserDeleted`; every
verifier asks `is_deleted` on each call. Kept and shared as marks.py keeps
every mark: with Redis, a deleted account's token stops working everywhere
within POLL_SECONDS (plus the event's lag).
"""

from redis.asyncio import Redis, RedisCluster

from services.common.tokens.marks import MemoryMarks, RedisMarks
from services.common.tokens.redis_layout import DELETED_ACCOUNTS_KEY


class MemoryDeletedAccounts(MemoryMarks):
    def is_deleted(self, user_id: int) -> bool:
        return user_id in self._marked


class RedisDeletedAccounts(RedisMarks, MemoryDeletedAccounts):
    def __init__(self, redis: Redis | RedisCluster):
        super().__init__(redis, DELETED_ACCOUNTS_KEY, int)
