"""One service per process (mesh mode): its own backends, the other services over gRPC.

CHIRP_SERVICE names the service; the targets of the services it calls
come from CHIRP_SNOWFLAKE_TARGET, CHIRP_GRAPH_TARGET and CHIRP_TWEET_TARGET
(several addresses balance round-robin). Mesh mode runs on the production
backends only: PostgreSQL, Redis and RabbitMQ must be configured.
"""

from dataclasses import dataclass, field

import grpc

from services.common.kernel.pagination import PageTokens
from services.common.rpc.remote import channel
from services.common.rpc.server import Registration
from services.common.runtime.config import ConfigError, Settings
from services.fanout import entrypoint as fanout_entrypoint
from services.graph import entrypoint as graph_entrypoint
from services.graph.remote import RemoteGraph
from services.graph.service import GraphService
from services.mesh.backends import Resources, open_stores, open_timeline_cache
from services.mesh.bootstrap import TWEET_EVENTS, EventFlow, fanout_service, open_event_flow
from services.snowflake import entrypoint as snowflake_entrypoint
from services.snowflake.domain import SnowflakeGenerator
from services.snowflake.remote import RemoteIds
from services.timeline import entrypoint as timeline_entrypoint
from services.timeline.service import TimelineService
from services.tweet import entrypoint as tweet_entrypoint
from services.tweet.remote import RemoteTweets
from services.tweet.service import TweetService

NEEDS = {
    "snowflake": (),
    "graph": ("CHIRP_DATABASE_URL", "CHIRP_REDIS_URL", "CHIRP_RABBITMQ_URL", "CHIRP_SNOWFLAKE_TARGET"),
    "tweet": ("CHIRP_DATABASE_URL", "CHIRP_REDIS_URL", "CHIRP_RABBITMQ_URL", "CHIRP_SNOWFLAKE_TARGET", "CHIRP_GRAPH_TARGET"),
    "timeline": ("CHIRP_REDIS_URL", "CHIRP_GRAPH_TARGET", "CHIRP_TWEET_TARGET"),
    "fanout": ("CHIRP_REDIS_URL", "CHIRP_RABBITMQ_URL", "CHIRP_GRAPH_TARGET", "CHIRP_TWEET_TARGET"),
}
_SETTING_OF = {
    "CHIRP_DATABASE_URL": "database_url",
    "CHIRP_RABBITMQ_URL": "rabbitmq_url",
    "CHIRP_REDIS_URL": "redis_url",
    "CHIRP_SNOWFLAKE_TARGET": "snowflake_target",
    "CHIRP_GRAPH_TARGET": "graph_target",
    "CHIRP_TWEET_TARGET": "tweet_target",
}


@dataclass
class ServiceProcess:
    hosted: list[Registration] = field(default_factory=list)
    resources: Resources = field(default_factory=Resources)
    flow: EventFlow | None = None

    def registrations(self) -> list[Registration]:
        return self.hosted

    async def start(self) -> None:
        if self.flow is not None:
            await self.flow.start()

    async def close(self) -> None:
        if self.flow is not None:
            await self.flow.stop()
        await self.resources.close()


async def build_process(settings: Settings) -> ServiceProcess:
    missing = [name for name in NEEDS[settings.service] if not getattr(settings, _SETTING_OF[name])]
    if missing:
        raise ConfigError(f"CHIRP_SERVICE={settings.service} needs {', '.join(missing)}")
    process = ServiceProcess()
    try:
        await _BUILDERS[settings.service](settings, process)
    except BaseException:
        await process.close()
        raise
    return process


def _remote(process: ServiceProcess, target: str) -> grpc.aio.Channel:
    opened = channel(target)
    process.resources.closers.append(opened.close)
    return opened


async def _snowflake(settings: Settings, process: ServiceProcess) -> None:
    process.hosted.append(snowflake_entrypoint.registration(SnowflakeGenerator(settings.worker_id)))


async def _graph(settings: Settings, process: ServiceProcess) -> None:
    stores = await open_stores(settings, process.resources, tweets=False)
    ids = RemoteIds(_remote(process, settings.snowflake_target))
    graph = GraphService(stores.graph, ids, settings.celebrity_threshold)
    process.flow = await open_event_flow(settings, process.resources, list(stores.outboxes.values()))
    process.hosted.append(graph_entrypoint.registration(graph, PageTokens(settings.page_token_secret)))


async def _tweet(settings: Settings, process: ServiceProcess) -> None:
    stores = await open_stores(settings, process.resources, graph=False)
    ids = RemoteIds(_remote(process, settings.snowflake_target))
    tweets = TweetService(stores.tweets, RemoteGraph(_remote(process, settings.graph_target)), ids)
    process.flow = await open_event_flow(settings, process.resources, list(stores.outboxes.values()))
    process.flow.consume("tweet", TWEET_EVENTS, tweets.handle)
    process.hosted.append(tweet_entrypoint.registration(tweets, PageTokens(settings.page_token_secret)))


async def _timeline(settings: Settings, process: ServiceProcess) -> None:
    cache = await open_timeline_cache(settings, process.resources)
    graph, tweets = RemoteGraph(_remote(process, settings.graph_target)), RemoteTweets(_remote(process, settings.tweet_target))
    timelines = TimelineService(cache, graph, tweets, settings.timeline_length)
    process.hosted.append(timeline_entrypoint.registration(timelines, PageTokens(settings.page_token_secret)))


async def _fanout(settings: Settings, process: ServiceProcess) -> None:
    cache = await open_timeline_cache(settings, process.resources)
    graph, tweets = RemoteGraph(_remote(process, settings.graph_target)), RemoteTweets(_remote(process, settings.tweet_target))
    process.flow = await open_event_flow(settings, process.resources, [])
    fanout = fanout_service(settings, cache, graph, tweets, process.flow)
    process.hosted.append(fanout_entrypoint.registration(fanout))


_BUILDERS = {"snowflake": _snowflake, "graph": _graph, "tweet": _tweet, "timeline": _timeline, "fanout": _fanout}
