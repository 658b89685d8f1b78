"""Buckets in Redis, shared by every replica: one script refills and takes in one atomic step.

The script follows buckets.refill and wait_for_token_ms; the keys are redis_layout.py's.
The caller's clock counts the time (replicas' clocks are assumed synchronised;
one behind the last count refills nothing, and never moves the count back).
"""

from redis.asyncio import Redis, RedisCluster

from services.common.limits.rates import Rate
from services.common.limits.redis_layout import bucket_key

# KEYS[1] the bucket; ARGV: tokens, period in ms, now in ms. Returns 0 when a token was taken, else the wait in ms.
TAKE = """
local capacity, period, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local held = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(held[1]), tonumber(held[2])
if tokens == nil or at == nil then
  tokens, at = capacity, now
elseif now > at then
  tokens, at = math.min(capacity, tokens + (now - at) * capacity / period), now
end
if tokens < 1 then
  return math.max(1, math.ceil((1 - tokens) * period / capacity))
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%d', at))
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((capacity - tokens) * period / capacity)))
return 0
"""


class RedisBuckets:
    def __init__(self, redis: Redis | RedisCluster):
        self._take = redis.register_script(TAKE)

    async def take(self, user_id: int, action: str, rate: Rate, now_ms: int) -> int:
        return int(await self._take(keys=[bucket_key(user_id, action)], args=[rate.tokens, rate.period_ms, now_ms]))
