"""The one place where adapters are chosen and wired into services.

The embedded mesh: SQLite for the system of record and the outbox, an
in-process consumer per event-consuming service, and timelines in memory.
Tests pass their own cache or clock into this same function.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from redis.asyncio import Redis, RedisCluster

from services.common.config import Settings
from services.common.outbox import OutboxConsumer
from services.common.pagination import PageTokens
from services.common.server import Registration
from services.common.sqlite import Database
from services.common.sqlite_outbox import SCHEMA as OUTBOX_SCHEMA
from services.common.sqlite_outbox import SqliteOutbox
from services.fanout import entrypoint as fanout_entrypoint
from services.fanout.service import FanoutService
from services.graph import entrypoint as graph_entrypoint
from services.graph.adapters.sqlite_schema import SCHEMA as GRAPH_SCHEMA
from services.graph.adapters.sqlite_repository import SqliteGraphRepository
from services.graph.service import GraphService
from services.mesh import unbuilt
from services.snowflake import entrypoint as snowflake_entrypoint
from services.snowflake.domain import SnowflakeGenerator, wall_clock_ms
from services.timeline import entrypoint as timeline_entrypoint
from services.timeline.adapters.memory_cache import InMemoryTimelineCache
from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.ports import TimelineCache
from services.timeline.service import TimelineService
from services.tweet import entrypoint as tweet_entrypoint
from services.tweet.adapters.sqlite_schema import SCHEMA as TWEET_SCHEMA
from services.tweet.adapters.sqlite_repository import SqliteTweetRepository
from services.tweet.service import TweetService


@dataclass
class Mesh:
    settings: Settings
    db: Database
    ids: SnowflakeGenerator
    graph: GraphService
    tweets: TweetService
    cache: TimelineCache
    timelines: TimelineService
    fanout: FanoutService
    consumers: list[OutboxConsumer] = field(default_factory=list)

    def registrations(self) -> list[Registration]:
        tokens = PageTokens(self.settings.page_token_secret)
        return [
            snowflake_entrypoint.registration(self.ids),
            graph_entrypoint.registration(self.graph, tokens),
            tweet_entrypoint.registration(self.tweets, tokens),
            timeline_entrypoint.registration(self.timelines, tokens),
            fanout_entrypoint.registration(self.fanout),
            *unbuilt.registrations(),
        ]

    async def start(self) -> None:
        for consumer in self.consumers:
            await consumer.start()

    async def close(self) -> None:
        for consumer in self.consumers:
            await consumer.stop()
        await self.cache.close()
        await self.db.close()


async def bootstrap(
    settings: Settings, cache: TimelineCache | None = None, clock: Callable[[], int] = wall_clock_ms
) -> Mesh:
    db = await Database.open(settings.database_path)
    await db.apply_schema(OUTBOX_SCHEMA + GRAPH_SCHEMA + TWEET_SCHEMA)
    outbox = SqliteOutbox(db)
    graph_store, tweet_store = SqliteGraphRepository(db, outbox), SqliteTweetRepository(db, outbox)
    largest_id = max(await graph_store.largest_id(), await tweet_store.largest_id())
    ids = SnowflakeGenerator(settings.worker_id, clock=clock, above=largest_id)
    graph = GraphService(graph_store, ids, settings.celebrity_threshold)
    tweets = TweetService(tweet_store, graph, ids)
    cache = cache or await timeline_cache(settings)
    timelines = TimelineService(cache, graph, tweets, settings.timeline_length)
    fanout = FanoutService(cache, graph, tweets, settings.fanout_batch_size, settings.timeline_length)
    fanout.queue = OutboxConsumer(outbox, "fanout", fanout.handle)
    consumers = [fanout.queue, OutboxConsumer(outbox, "tweet", tweets.handle)]
    return Mesh(settings, db, ids, graph, tweets, cache, timelines, fanout, consumers)


async def timeline_cache(settings: Settings) -> TimelineCache:
    """In memory by default; Redis (or Redis Cluster) when CHIRP_REDIS_URL is set."""
    if not settings.redis_url:
        return InMemoryTimelineCache(settings.timeline_length)
    client_class = RedisCluster if settings.redis_cluster else Redis
    cache = RedisTimelineCache(
        client_class.from_url(settings.redis_url), settings.timeline_length, settings.timeline_ttl_seconds
    )
    await cache.check_listpack_limit()
    return cache

