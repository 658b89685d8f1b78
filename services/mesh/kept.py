"""What a process keeps in Redis with CHIRP_REDIS_URL, or in its own memory without: home timelines, fan-out's
marks of unfollows, the Timeline service's read model, Trending's counts, rate-limit buckets, the accounts deleted lately. Both entry
points open them here."""

from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import RedisCluster

from services.common.kernel.ids import wall_clock_ms
from services.common.limits.buckets import TokenBuckets
from services.common.limits.memory_buckets import MemoryBuckets
from services.common.limits.redis_buckets import RedisBuckets
from services.common.runtime.config import Settings
from services.common.storage.redis_multiplexed import MultiplexedRedis
from services.common.tokens.deleted_accounts import MemoryDeletedAccounts, RedisDeletedAccounts
from services.common.tokens.ended_sessions import MemoryEndedSessions, RedisEndedSessions, kept_seconds
from services.common.visibility.cached import HiddenCopies
from services.common.visibility.copies import MemoryHiddenCopies, RedisHiddenCopies
from services.fanout.adapters.memory_unfollow_marks import MemoryUnfollowMarks
from services.fanout.adapters.redis_unfollow_marks import RedisUnfollowMarks
from services.mesh.backends import Resources, shared_redis
from services.timeline.adapters.memory_cache import InMemoryTimelineCache
from services.timeline.adapters.memory_home import MemoryHomePages
from services.timeline.adapters.memory_read_model import MemoryCopies
from services.timeline.adapters.redis_author_posts import RedisAuthorPosts
from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_home import RedisHomePages
from services.timeline.adapters.redis_layout import posts_key
from services.timeline.adapters.redis_notices import RedisReadNotices
from services.timeline.adapters.redis_read_model import RedisCopies
from services.timeline.adapters.redis_replica_acks import ReplicaAcks
from services.timeline.ports import TimelineCache, WarmPages
from services.timeline.read_model import POSTS_KEPT, POSTS_TTL_SECONDS
from services.trending.adapters.memory_trends import InMemoryTrendStore
from services.trending.adapters.redis_trends import RedisTrendStore
from services.trending.ports import TrendStore


async def open_timeline_cache(settings: Settings, resources: Resources) -> TimelineCache:
    """In memory by default; Redis (or Redis Cluster) when CHIRP_REDIS_URL is set. On a Cluster, the writes wait
    for a replica of each master that has one (CHIRP_REDIS_REPLICA_ACKS), so a failover loses none acknowledged."""
    if not settings.redis_url:
        cache = InMemoryTimelineCache(settings.timeline_length)
        resources.closers.append(cache.close)
    else:
        redis = shared_redis(settings, resources)
        acks = ReplicaAcks(redis, settings.redis_replica_ack_timeout_ms) if settings.redis_replica_acks and isinstance(redis, RedisCluster) else None
        cache = RedisTimelineCache(redis, settings.timeline_length, settings.timeline_ttl_seconds, replica_acks=acks)
        await cache.check_listpack_limit()
    return cache


def open_unfollow_marks(settings: Settings, resources: Resources) -> MemoryUnfollowMarks | RedisUnfollowMarks:
    """Beside the timelines they guard, kept as long as a timeline is."""
    if not settings.redis_url:
        return MemoryUnfollowMarks(settings.timeline_ttl_seconds)
    return RedisUnfollowMarks(shared_redis(settings, resources), settings.timeline_ttl_seconds)


@dataclass
class ReadModel:
    """The Timeline service's read model: the copies reads consult, and what writers tell as they commit."""

    copies: RedisCopies | MemoryCopies  # ReaderCopies and CardCopies
    posts: TimelineCache  # each author's recent ids
    notices: RedisReadNotices | MemoryCopies  # Tweet's and Graph's ReadCopies, fan-out's ReaderNotices
    pages: MultiplexedRedis | None = None  # for a warm page in one call to one Redis server


def open_read_model(settings: Settings, resources: Resources, in_process: bool = False) -> ReadModel | None:
    """In Redis when CHIRP_REDIS_URL is set; else in process memory when every service shares the process
    (the embedded mesh), or None: a process of one service can't keep copies the others would tell."""
    if not settings.redis_url:
        if not in_process:
            return None
        posts = InMemoryTimelineCache(POSTS_KEPT)
        copies = MemoryCopies(posts)
        return ReadModel(copies, posts, copies)
    redis = shared_redis(settings, resources)
    posts: TimelineCache = RedisTimelineCache(redis, POSTS_KEPT, POSTS_TTL_SECONDS, key=posts_key)
    pages = None
    if not settings.redis_cluster and settings.redis_url.startswith("redis://"):
        pages = MultiplexedRedis(settings.redis_url)
        resources.closers.append(pages.close)
        posts = RedisAuthorPosts(redis, posts, POSTS_TTL_SECONDS)  # the page script opens a celebrity's list at its head
    return ReadModel(RedisCopies(redis), posts, RedisReadNotices(redis, posts), pages)


def warm_home_pages(model: ReadModel, cache: TimelineCache, hidden: HiddenCopies | None) -> WarmPages | None:
    """A whole home page in one call: a script on the one Redis server, or one pass over the embedded mesh's
    memory; None on a Cluster (its keys lie in many slots) or with a cache of another kind: every read goes the slow way."""
    if model.pages is not None:
        return RedisHomePages(model.pages)
    if isinstance(model.copies, MemoryCopies) and isinstance(model.posts, InMemoryTimelineCache) and isinstance(cache, InMemoryTimelineCache) \
            and isinstance(hidden, MemoryHiddenCopies):  # fmt: skip
        return MemoryHomePages(cache, model.copies, model.posts, hidden)
    return None


def open_hidden_copies(settings: Settings, resources: Resources, in_process: bool = False) -> MemoryHiddenCopies | RedisHiddenCopies | None:
    """Each user's hidden accounts, kept for every read path: in Redis when CHIRP_REDIS_URL is set; else in process
    memory when every service shares the process, or None: a process of one service can't keep copies Graph writes."""
    if settings.redis_url:
        return RedisHiddenCopies(shared_redis(settings, resources))
    return MemoryHiddenCopies() if in_process else None


def open_trend_store(settings: Settings, resources: Resources, clock: Callable[[], int]) -> TrendStore:
    """In memory by default; in Redis, shared by every Trending replica, when CHIRP_REDIS_URL is set."""
    if not settings.redis_url:
        return InMemoryTrendStore(clock)
    return RedisTrendStore(shared_redis(settings, resources))


def open_rate_limiter(settings: Settings, resources: Resources, clock: Callable[[], int] = wall_clock_ms) -> TokenBuckets:
    """The configured rates, in memory by default; in Redis, shared by every replica, when CHIRP_REDIS_URL is set."""
    if not settings.rate_limits or not settings.redis_url:
        return TokenBuckets(MemoryBuckets(), settings.rate_limits, clock)
    return TokenBuckets(RedisBuckets(shared_redis(settings, resources)), settings.rate_limits, clock)


def open_deleted_accounts(settings: Settings, resources: Resources) -> MemoryDeletedAccounts | RedisDeletedAccounts:
    """In memory by default (the process that deletes is the one that checks); with CHIRP_REDIS_URL, in Redis,
    copied into every process once a second. A process of one service without Redis sees no deletions."""
    if not settings.redis_url:
        return MemoryDeletedAccounts()
    deleted = RedisDeletedAccounts(shared_redis(settings, resources))
    deleted.start()
    resources.closers.append(deleted.stop)
    return deleted


def open_ended_sessions(settings: Settings, resources: Resources) -> MemoryEndedSessions | RedisEndedSessions:
    """As open_deleted_accounts: in memory by default, else in Redis and copied into every process once a second."""
    kept = kept_seconds(settings.access_token_ttl_seconds)
    if not settings.redis_url:
        return MemoryEndedSessions(kept)
    ended = RedisEndedSessions(shared_redis(settings, resources), kept)
    ended.start()
    resources.closers.append(ended.stop)
    return ended
