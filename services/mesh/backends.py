"""Opens the servers a process needs, as its settings choose: storage and the process's Redis client
(what it keeps there, or in memory without Redis, is opened in kept.py; the event bus in wiring.py).

Embedded defaults: SQLite (one file, one outbox shared by graph and
tweets), timelines in memory, events drained in process. Production:
PostgreSQL (a schema and an outbox per service, read through Redis row
caches of users and tweets when Redis is set too), Redis or Redis Cluster,
and RabbitMQ. Every opened server adds a health check and a closer.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from redis.asyncio import BlockingConnectionPool, Redis, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

from services.account.adapters.schema import POSTGRES_MIGRATIONS as ACCOUNT_MIGRATIONS
from services.account.adapters.schema import SQLITE_SCHEMA as ACCOUNT_SCHEMA
from services.account.adapters.sql_store import SqlAccountStore
from services.common.messaging.outbox.postgres_store import PostgresOutbox
from services.common.messaging.outbox.sqlite_store import SCHEMA as OUTBOX_SCHEMA
from services.common.messaging.outbox.sqlite_store import SqliteOutbox
from services.common.messaging.outbox.store import OutboxStore
from services.common.rpc.health import Check
from services.common.runtime.config import Settings
from services.common.storage.postgres import PostgresDatabase
from services.common.storage.row_cache import RowCache
from services.common.storage.sqlite import Database
from services.common.storage.transactions import PostgresTransactions, SqliteTransactions
from services.graph.adapters import cached_repository as cached_graph
from services.graph.adapters import postgres_migrations as graph_migrations
from services.graph.adapters.postgres_candidates import PostgresCandidates
from services.graph.adapters.postgres_repository import PostgresGraphRepository
from services.graph.adapters.sqlite_candidates import SqliteCandidates
from services.graph.adapters.sqlite_repository import SqliteGraphRepository
from services.graph.adapters.sqlite_schema import ADDED_COLUMNS as GRAPH_ADDED_COLUMNS
from services.graph.adapters.sqlite_schema import SCHEMA as GRAPH_SCHEMA
from services.graph.domain import CelebrityLine
from services.notification.adapters.schema import POSTGRES_MIGRATIONS as NOTIFICATION_MIGRATIONS
from services.notification.adapters.schema import SQLITE_SCHEMA as NOTIFICATION_SCHEMA
from services.notification.adapters.sql_store import SqlNotificationStore
from services.tweet.adapters import cached_repository as cached_tweets
from services.tweet.adapters import postgres_migrations as tweet_migrations
from services.tweet.adapters.postgres_repository import PostgresTweetRepository
from services.tweet.adapters.sqlite_repository import SqliteTweetRepository
from services.tweet.adapters.sqlite_schema import SCHEMA as TWEET_SCHEMA

REDIS_RETRIES = 3
REDIS_CONNECTIONS = 100  # per process, to one Redis server (redis-py's default pool size)


@dataclass
class Resources:
    """What a process opened: health checks to watch and closers to run at the end, newest first."""

    checks: dict[str, Check] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[object]]] = field(default_factory=list)
    redis: Redis | RedisCluster | None = None  # one client (and pool) for everything the process keeps in Redis

    async def close(self) -> None:
        for close in reversed(self.closers):
            await close()


@dataclass
class Stores:
    graph: SqliteGraphRepository | PostgresGraphRepository | cached_graph.CachedGraphRepository | None
    tweets: SqliteTweetRepository | PostgresTweetRepository | cached_tweets.CachedTweetRepository | None
    outboxes: dict[str, OutboxStore]  # by the service that writes it ("events" when shared)
    accounts: SqlAccountStore | None = None
    notifications: SqlNotificationStore | None = None
    candidates: SqliteCandidates | PostgresCandidates | None = None  # who-to-follow's friends of friends, beside graph

    async def largest_id(self) -> int:
        stores = [s for s in (self.graph, self.tweets) if s is not None]
        return max([await s.largest_id() for s in stores], default=0)


async def open_stores(
    settings: Settings, resources: Resources, graph: bool = True, tweets: bool = True, accounts: bool = True, notifications: bool = True
) -> Stores:
    if settings.database_url:
        return await _open_postgres(settings, resources, graph, tweets, accounts, notifications)
    db = await Database.open(settings.database_path)
    resources.closers.append(db.close)
    await db.apply_schema(OUTBOX_SCHEMA + GRAPH_SCHEMA + TWEET_SCHEMA + ACCOUNT_SCHEMA + NOTIFICATION_SCHEMA, GRAPH_ADDED_COLUMNS)
    outbox = SqliteOutbox(db)
    celebrities = CelebrityLine(settings.celebrity_threshold)
    account_store, notification_store = SqlAccountStore(SqliteTransactions(db)), SqlNotificationStore(SqliteTransactions(db))
    graph_store, tweet_store = SqliteGraphRepository(db, outbox, celebrities), SqliteTweetRepository(db, outbox)
    return Stores(graph_store, tweet_store, {"events": outbox}, account_store, notification_store, SqliteCandidates(db))


async def _open_postgres(settings: Settings, resources: Resources, graph: bool, tweets: bool, accounts: bool, notifications: bool) -> Stores:
    stores = Stores(None, None, {})
    if accounts:
        db, _ = await _open_schema(settings, resources, "account", ACCOUNT_MIGRATIONS)
        stores.accounts = SqlAccountStore(PostgresTransactions(db))
    if notifications:
        db, _ = await _open_schema(settings, resources, "notification", NOTIFICATION_MIGRATIONS)
        stores.notifications = SqlNotificationStore(PostgresTransactions(db))
    redis = shared_redis(settings, resources) if settings.redis_url else None
    if graph:
        db, outbox = await _open_schema(settings, resources, "graph", graph_migrations.MIGRATIONS)
        stores.graph = PostgresGraphRepository(db, outbox, CelebrityLine(settings.celebrity_threshold))
        stores.outboxes["graph"], stores.candidates = outbox, PostgresCandidates(db)
        if redis:
            stores.graph = cached_graph.CachedGraphRepository(stores.graph, _row_cache(settings, redis, "user", cached_graph))
    if tweets:
        db, outbox = await _open_schema(settings, resources, "tweet", tweet_migrations.MIGRATIONS)
        stores.tweets, stores.outboxes["tweet"] = PostgresTweetRepository(db, outbox, await _open_replica(settings, resources, "tweet")), outbox
        if redis:
            stores.tweets = cached_tweets.CachedTweetRepository(stores.tweets, _row_cache(settings, redis, "tweet", cached_tweets))
    return stores


async def _open_replica(settings: Settings, resources: Resources, schema: str) -> PostgresDatabase | None:
    """CHIRP_DATABASE_READ_URL: the streaming replica that serves reads allowed to be stale; unset, none."""
    if not settings.database_read_url:
        return None
    db = await PostgresDatabase.open_reader(settings.database_read_url, schema, max_size=settings.database_pool_size)
    resources.closers.append(db.close)
    resources.checks[f"postgresql replica ({schema})"] = db.ping
    return db


def _row_cache(settings: Settings, redis: Redis | RedisCluster, kind: str, codec) -> RowCache:
    """codec: the cached repository's module, with its encode and decode."""
    return RowCache(redis, kind, codec.encode, codec.decode, settings.hydration_ttl_seconds)


def redis_client(settings: Settings) -> Redis | RedisCluster:
    """A client that gives up within about a second, so a request fails (or falls back) instead of hanging.
    With one server, a burst beyond REDIS_CONNECTIONS commands at once waits up to a second for a free
    connection: redis-py's default pool fails such a command at once ("Too many connections")."""
    retry = Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.1), REDIS_RETRIES)
    options = {"socket_connect_timeout": 1.0, "socket_timeout": 2.0, "retry": retry}
    if settings.redis_cluster:
        return RedisCluster.from_url(settings.redis_url, **options)
    pool = BlockingConnectionPool.from_url(settings.redis_url, max_connections=REDIS_CONNECTIONS, timeout=1.0, **options)
    return Redis.from_pool(pool)


def shared_redis(settings: Settings, resources: Resources) -> Redis | RedisCluster:
    """The process's Redis client, opened at the first call, shared by every later one."""
    if resources.redis is None:
        resources.redis = redis_client(settings)
        resources.checks["redis"] = resources.redis.ping
        resources.closers.append(resources.redis.aclose)
    return resources.redis


async def _open_schema(settings: Settings, resources: Resources, schema: str, migrations: list[str]):
    db = await PostgresDatabase.open(settings.database_url, schema, migrations, max_size=settings.database_pool_size)
    resources.closers.append(db.close)
    resources.checks[f"postgresql ({schema})"] = db.ping
    return db, PostgresOutbox(db)
