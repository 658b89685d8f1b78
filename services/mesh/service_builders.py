"""Each service's builder in mesh mode: its own backends, the other services it calls over gRPC."""

import grpc

from services.account import entrypoint as account_entrypoint
from services.common.kernel.ids import wall_clock_ms
from services.common.kernel.pagination import PageTokens
from services.common.rpc.remote import channel
from services.common.runtime.config import Settings
from services.common.runtime.fault_hooks import FaultHooks
from services.common.storage.postgres import PostgresDatabase
from services.common.visibility.cached import CachedHiddenAccounts
from services.fanout import entrypoint as fanout_entrypoint
from services.graph import entrypoint as graph_entrypoint
from services.graph.remote import RemoteGraph
from services.graph.service import GraphService
from services.mesh.authors_from_graph import AuthorsFromGraph
from services.mesh.backends import open_stores
from services.mesh.bridges import ProfilesFromGraph
from services.mesh.credentials import account_credential, account_service, own_credential, signing_key
from services.mesh.kept import open_hidden_copies, open_rate_limiter, open_read_model, open_timeline_cache, open_trend_store, open_unfollow_marks
from services.mesh.service_process import ServiceProcess
from services.mesh.wiring import (
    GraphCopies,
    fanout_service,
    notification_service,
    open_event_flow,
    search_service,
    suggestion_service,
    timeline_service,
    trending_service,
    tweet_service,
)  # fmt: skip
from services.notification import entrypoint as notification_entrypoint
from services.search import entrypoint as search_entrypoint
from services.snowflake import entrypoint as snowflake_entrypoint
from services.snowflake import worker_leases
from services.snowflake.domain import SnowflakeGenerator
from services.snowflake.remote import RemoteIds
from services.timeline import entrypoint as timeline_entrypoint
from services.trending import entrypoint as trending_entrypoint
from services.tweet import entrypoint as tweet_entrypoint
from services.tweet.remote import RemoteTweets


def _remote(process: ServiceProcess, settings: Settings, service: str) -> grpc.aio.Channel:
    opened = channel(settings.targets[service])
    process.resources.closers.append(opened.close)
    return opened


def _hidden_from(graph: RemoteGraph, settings: Settings, process: ServiceProcess) -> CachedHiddenAccounts:
    """What a reading service hides from each viewer: the Graph's answer, kept in the copies the Graph writes."""
    return CachedHiddenAccounts(graph.acting_as(own_credential(settings)), open_hidden_copies(settings, process.resources))


async def _snowflake(settings: Settings, process: ServiceProcess, hooks: FaultHooks) -> None:
    """Its worker id leased in PostgreSQL (from CHIRP_WORKER_ID up), so that no two replicas share one."""
    db = await PostgresDatabase.open(settings.database_url, worker_leases.SCHEMA, worker_leases.MIGRATIONS, max_size=2)
    process.resources.closers.append(db.close)
    process.resources.checks["postgresql (snowflake)"] = db.ping
    leased = await worker_leases.lease_worker_id(db, f"snowflake.{settings.replica}", settings.lease_seconds, settings.worker_id)
    process.resources.checks[f"worker id {leased.worker_id} lease"] = leased.check
    process.background.append(leased)
    process.hosted.append(snowflake_entrypoint.registration(SnowflakeGenerator.leased(leased)))


async def _graph(settings: Settings, process: ServiceProcess, hooks: FaultHooks) -> None:
    stores = await open_stores(settings, process.resources, tweets=False, accounts=False, notifications=False)
    ids = RemoteIds(_remote(process, settings, "snowflake"))
    model = open_read_model(settings, process.resources)
    limiter, hidden = open_rate_limiter(settings, process.resources), open_hidden_copies(settings, process.resources)
    suggestions = suggestion_service(settings, process.resources, stores, hidden)
    copies = GraphCopies(model.notices if model else None, suggestions)
    graph = GraphService(stores.graph, ids, copies, limiter=limiter, hidden=hidden)
    await graph.start()
    process.flow = await open_event_flow(settings, process.resources, list(stores.outboxes.values()), hooks)
    process.hosted.append(graph_entrypoint.registration(graph, PageTokens(settings.page_token_secret), suggestions))


async def _account(settings: Settings, process: ServiceProcess, hooks: FaultHooks) -> None:
    stores = await open_stores(settings, process.resources, graph=False, tweets=False, notifications=False)
    signing, marks = signing_key(settings), process.authenticator
    profiles = ProfilesFromGraph(RemoteGraph(_remote(process, settings, "graph"), account_credential(settings, signing)))
    limiter = open_rate_limiter(settings, process.resources)
    accounts = account_service(settings, stores.accounts, profiles, signing, limiter, marks.deleted, marks.ended)
    process.flow = await open_event_flow(settings, process.resources, [], hooks)
    process.flow.consume("account", accounts.handle)
    process.hosted.append(account_entrypoint.registration(accounts, settings.trusted_proxies))


async def _tweet(settings: Settings, process: ServiceProcess, hooks: FaultHooks) -> None:
    stores = await open_stores(settings, process.resources, graph=False, accounts=False, notifications=False)
    ids = RemoteIds(_remote(process, settings, "snowflake"))
    model = open_read_model(settings, process.resources)
    graph = RemoteGraph(_remote(process, settings, "graph"))
    limiter = open_rate_limiter(settings, process.resources)
    tweets = tweet_service(stores.tweets, AuthorsFromGraph(graph), ids, model, limiter, _hidden_from(graph, settings, process))
    process.flow = await open_event_flow(settings, process.resources, list(stores.outboxes.values()), hooks)
    process.flow.consume("tweet", tweets.handle)
    process.hosted.append(tweet_entrypoint.registration(tweets, PageTokens(settings.page_token_secret)))


async def _timeline(settings: Settings, process: ServiceProcess, hooks: FaultHooks) -> None:
    cache = await open_timeline_cache(settings, process.resources)
    graph, tweets = RemoteGraph(_remote(process, settings, "graph")), RemoteTweets(_remote(process, settings, "tweet"))
    model = open_read_model(settings, process.resources)
    timelines = timeline_service(settings, cache, graph, tweets, model, _hidden_from(graph, settings, process))
    process.hosted.append(timeline_entrypoint.registration(timelines, PageTokens(settings.page_token_secret)))


async def _fanout(settings: Settings, process: ServiceProcess, hooks: FaultHooks) -> None:
    cache = await open_timeline_cache(settings, process.resources)
    graph, tweets = RemoteGraph(_remote(process, settings, "graph")), RemoteTweets(_remote(process, settings, "tweet"))
    process.flow = await open_event_flow(settings, process.resources, [], hooks)
    unfollows = open_unfollow_marks(settings, process.resources)
    fanout = fanout_service(settings, cache, unfollows, graph, tweets, process.flow, open_read_model(settings, process.resources))
    process.hosted.append(fanout_entrypoint.registration(fanout))


async def _search(settings: Settings, process: ServiceProcess, hooks: FaultHooks) -> None:
    graph, tweets = RemoteGraph(_remote(process, settings, "graph")), RemoteTweets(_remote(process, settings, "tweet"))
    process.flow = await open_event_flow(settings, process.resources, [], hooks)
    model = open_read_model(settings, process.resources)
    search = search_service(settings, process.resources, graph, tweets, process.flow, model, _hidden_from(graph, settings, process))
    process.resources.checks["search index (catching up)"] = search.ready  # NOT_SERVING while it rebuilds
    process.starts.append(search.start)
    process.hosted.append(search_entrypoint.registration(search, PageTokens(settings.page_token_secret)))


async def _trending(settings: Settings, process: ServiceProcess, hooks: FaultHooks) -> None:
    store = open_trend_store(settings, process.resources, wall_clock_ms)
    process.flow = await open_event_flow(settings, process.resources, [], hooks)
    trending = trending_service(settings, store, process.flow, wall_clock_ms)
    process.background.append(trending.refresher)
    process.hosted.append(trending_entrypoint.registration(trending, PageTokens(settings.page_token_secret)))


async def _notification(settings: Settings, process: ServiceProcess, hooks: FaultHooks) -> None:
    stores = await open_stores(settings, process.resources, graph=False, tweets=False, accounts=False)
    graph, tweets = RemoteGraph(_remote(process, settings, "graph")), RemoteTweets(_remote(process, settings, "tweet"))
    process.flow = await open_event_flow(settings, process.resources, [], hooks)
    notifications = notification_service(settings, stores.notifications, graph, tweets, _hidden_from(graph, settings, process), process.flow,
                                         wall_clock_ms)
    process.hosted.append(notification_entrypoint.registration(notifications, PageTokens(settings.page_token_secret)))


BUILDERS = {
    "snowflake": _snowflake, "graph": _graph, "account": _account, "tweet": _tweet, "timeline": _timeline, "fanout": _fanout, "search": _search,
    "trending": _trending, "notification": _notification,
}  # fmt: skip  # every BUILT entry
