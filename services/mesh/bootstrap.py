"""The one place where adapters are chosen and wired into services.

`bootstrap` builds the whole mesh in one process (`make run`, the tests):
by default on the embedded backends (SQLite, timelines in memory, events
drained in process), or on PostgreSQL, Redis and RabbitMQ when the
settings name them. `services.mesh.process` builds one service per process
from the same parts, reaching the others over gRPC.
"""

from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher

from services.account import entrypoint as account_entrypoint
from services.account.service import AccountService
from services.common.kernel.ids import wall_clock_ms
from services.common.kernel.pagination import PageTokens
from services.common.rpc.auth import Authenticator
from services.common.rpc.server import Registration
from services.common.runtime.config import Settings
from services.common.runtime.fault_hooks import FaultHooks
from services.common.visibility.cached import CachedHiddenAccounts
from services.fanout import entrypoint as fanout_entrypoint
from services.fanout.service import FanoutService
from services.graph import entrypoint as graph_entrypoint
from services.graph.service import GraphService
from services.graph.suggestion_service import SuggestionService
from services.mesh.authors_from_graph import AuthorsFromGraph
from services.mesh.backends import Resources, open_stores
from services.mesh.bridges import ProfilesFromGraph
from services.mesh.credentials import account_service, open_authenticator, signing_key
from services.mesh.kept import open_hidden_copies, open_rate_limiter, open_read_model, open_timeline_cache, open_trend_store, open_unfollow_marks
from services.mesh.wiring import (
    EventFlow,
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
from services.notification.service import NotificationService
from services.search import entrypoint as search_entrypoint
from services.search.service import SearchService
from services.snowflake import entrypoint as snowflake_entrypoint
from services.snowflake.domain import SnowflakeGenerator
from services.timeline import entrypoint as timeline_entrypoint
from services.timeline.ports import TimelineCache
from services.timeline.service import TimelineService
from services.trending import entrypoint as trending_entrypoint
from services.trending.service import TrendingService
from services.tweet import entrypoint as tweet_entrypoint
from services.tweet.service import TweetService


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
    search: SearchService
    trending: TrendingService
    flow: EventFlow
    accounts: AccountService
    authenticator: Authenticator
    notifications: NotificationService
    suggestions: SuggestionService

    def registrations(self) -> list[Registration]:
        tokens = PageTokens(self.settings.page_token_secret)
        return [
            snowflake_entrypoint.registration(self.ids),
            graph_entrypoint.registration(self.graph, tokens, self.suggestions),
            account_entrypoint.registration(self.accounts, self.settings.trusted_proxies),
            tweet_entrypoint.registration(self.tweets, tokens),
            timeline_entrypoint.registration(self.timelines, tokens),
            fanout_entrypoint.registration(self.fanout),
            search_entrypoint.registration(self.search, tokens),
            trending_entrypoint.registration(self.trending, tokens),
            notification_entrypoint.registration(self.notifications, tokens),
        ]

    async def start(self) -> None:
        await self.search.start()
        await self.flow.start()
        self.trending.refresher.start()

    async def close(self) -> None:
        await self.trending.refresher.stop()
        await self.flow.stop()
        await self.resources.close()


async def bootstrap(
    settings: Settings,
    cache: TimelineCache | None = None,
    clock: Callable[[], int] = wall_clock_ms,
    hooks: FaultHooks = FaultHooks(),
    hasher: PasswordHasher | None = None,
) -> Mesh:
    """hasher: argon2 parameters (tests pass cheap ones); argon2-cffi's defaults when None."""
    resources = Resources()
    try:
        stores = await open_stores(settings, resources)
        ids = SnowflakeGenerator(settings.worker_id, clock=clock, above=await stores.largest_id())
        model = open_read_model(settings, resources, in_process=True)
        limiter = open_rate_limiter(settings, resources)
        hidden_copies = open_hidden_copies(settings, resources, in_process=True)
        suggestions = suggestion_service(settings, resources, stores, hidden_copies)
        copies = GraphCopies(model.notices if model else None, suggestions)
        graph = GraphService(stores.graph, ids, copies, limiter=limiter, hidden=hidden_copies)
        await graph.start()
        hidden = CachedHiddenAccounts(graph, hidden_copies)
        tweets = tweet_service(stores.tweets, AuthorsFromGraph(graph), ids, model, limiter, hidden)
        if cache is None:
            cache = await open_timeline_cache(settings, resources)
        else:
            resources.closers.append(cache.close)
        timelines = timeline_service(settings, cache, graph, tweets, model, hidden)
        flow = await open_event_flow(settings, resources, list(stores.outboxes.values()), hooks)
        fanout = fanout_service(settings, cache, open_unfollow_marks(settings, resources), graph, tweets, flow, model)
        flow.consume("tweet", tweets.handle)
        search = search_service(settings, resources, graph, tweets, flow, model, hidden)
        trending = trending_service(settings, open_trend_store(settings, resources, clock), flow, clock)
        signing = signing_key(settings)
        authenticator = open_authenticator(settings, resources, signing)
        profiles = ProfilesFromGraph(graph)
        accounts = account_service(settings, stores.accounts, profiles, signing, limiter, authenticator.deleted, authenticator.ended, hasher)
        flow.consume("account", accounts.handle)
        notifications = notification_service(settings, stores.notifications, graph, tweets, hidden, flow, clock)
    except BaseException:
        await resources.close()
        raise
    return Mesh(settings, resources, ids, graph, tweets, cache, timelines, fanout, search, trending, flow, accounts, authenticator,
                notifications, suggestions)  # fmt: skip
