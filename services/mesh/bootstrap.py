"""The one place where adapters are chosen and wired into services.

`bootstrap` builds the whole mesh in one process (`make run`, the tests):
by default on the embedded backends (SQLite, timelines in memory, events
drained in process), or on PostgreSQL, Redis and RabbitMQ when the
settings name them. `services.mesh.process` builds one service per process
from the same parts, reaching the others over gRPC.
"""

from collections.abc import Callable
from dataclasses import dataclass

from services.common.kernel.events import TweetCreated, TweetDeleted, UserDeleted, UserFollowed, UserUnfollowed
from services.common.kernel.pagination import PageTokens
from services.common.messaging.outbox.store import OutboxStore, QueueStats
from services.common.messaging.rabbitmq.bus import RabbitBus
from services.common.messaging.retry import RetryPolicy
from services.common.rpc.server import Registration
from services.common.runtime.config import Settings
from services.fanout import entrypoint as fanout_entrypoint
from services.fanout.service import FanoutService
from services.graph import entrypoint as graph_entrypoint
from services.graph.service import GraphService
from services.mesh import unbuilt
from services.mesh.backends import Resources, open_stores, open_timeline_cache
from services.mesh.event_flow import EmbeddedFlow, RabbitFlow
from services.snowflake import entrypoint as snowflake_entrypoint
from services.snowflake.domain import SnowflakeGenerator, wall_clock_ms
from services.timeline import entrypoint as timeline_entrypoint
from services.timeline.ports import TimelineCache
from services.timeline.service import TimelineService
from services.tweet import entrypoint as tweet_entrypoint
from services.tweet.service import TweetService

FANOUT_EVENTS = (TweetCreated, TweetDeleted, UserFollowed, UserUnfollowed, UserDeleted)
TWEET_EVENTS = (UserDeleted,)

EventFlow = EmbeddedFlow | RabbitFlow


@dataclass
class FlowQueue:
    """One consuming service's view of its queue (fan-out's status page)."""

    flow: EventFlow
    service: str

    async def stats(self) -> QueueStats:
        return await self.flow.stats(self.service)


@dataclass
class Mesh:
    settings: Settings
    resources: Resources
    ids: SnowflakeGenerator
    graph: GraphService
    tweets: TweetService
    cache: TimelineCache
    timelines: TimelineService
    fanout: FanoutService
    flow: EventFlow

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
        await self.flow.start()

    async def close(self) -> None:
        await self.flow.stop()
        await self.resources.close()


async def bootstrap(
    settings: Settings, cache: TimelineCache | None = None, clock: Callable[[], int] = wall_clock_ms
) -> Mesh:
    resources = Resources()
    try:
        stores = await open_stores(settings, resources)
        ids = SnowflakeGenerator(settings.worker_id, clock=clock, above=await stores.largest_id())
        graph = GraphService(stores.graph, ids, settings.celebrity_threshold)
        tweets = TweetService(stores.tweets, graph, ids)
        if cache is None:
            cache = await open_timeline_cache(settings, resources)
        else:
            resources.closers.append(cache.close)
        timelines = TimelineService(cache, graph, tweets, settings.timeline_length)
        flow = await open_event_flow(settings, resources, list(stores.outboxes.values()))
        fanout = fanout_service(settings, cache, graph, tweets, flow)
        flow.consume("tweet", TWEET_EVENTS, tweets.handle)
    except BaseException:
        await resources.close()
        raise
    return Mesh(settings, resources, ids, graph, tweets, cache, timelines, fanout, flow)


def fanout_service(settings: Settings, cache: TimelineCache, graph, tweets, flow: EventFlow) -> FanoutService:
    """Fan-out wired to its queues: events in, chunk jobs out (RabbitMQ) or applied in place (embedded)."""
    fanout = FanoutService(
        cache, graph, tweets, settings.fanout_batch_size, settings.timeline_length, flow.chunk_queue(), FlowQueue(flow, "fanout")
    )
    flow.consume("fanout", FANOUT_EVENTS, fanout.handle)
    flow.consume_chunks(fanout.apply)
    return fanout


async def open_event_flow(settings: Settings, resources: Resources, outboxes: list[OutboxStore]) -> EventFlow:
    if not settings.rabbitmq_url:
        return EmbeddedFlow(outboxes)
    namespace = settings.bus_namespace
    bus = await RabbitBus.connect(settings.rabbitmq_url, exchange=f"{namespace}.events", name=settings.service or "mesh")
    resources.closers.append(bus.close)
    resources.checks["rabbitmq"] = bus.ping
    retry = RetryPolicy(attempts=settings.retry_attempts)
    return RabbitFlow(
        bus, outboxes, namespace, settings.fanout_prefetch, retry,
        settings.test_relay_hold_ms / 1000, settings.test_hold_ack_ms / 1000,
    )
