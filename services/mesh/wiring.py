"""What both entry points wire the same way: the event flow, fan-out on it, and the bridges between services.

`bootstrap.py` (the whole mesh in one process) and `process.py` (one
service per process) both build from these parts; neither imports the other.
"""

from collections.abc import Callable
from dataclasses import dataclass

from services.common.kernel.ids import IdSource
from services.common.messaging.outbox.relay import Batching
from services.common.messaging.outbox.store import OutboxStore, QueueStats
from services.common.messaging.rabbitmq.bus import RabbitBus
from services.common.messaging.retry import RetryPolicy
from services.common.runtime.best_effort import best_effort
from services.common.runtime.config import Settings
from services.common.runtime.fault_hooks import FaultHooks
from services.common.visibility.cached import CachedHiddenAccounts, HiddenCopies
from services.fanout.ports import AuthorTweets, FollowerSource, TimelineWriter, UnfollowMarks
from services.fanout.service import FanoutService
from services.graph.adapters.memory_rankings import MemoryRankings
from services.graph.adapters.redis_rankings import RedisRankings
from services.graph.ports import ReadCopies
from services.graph.suggestion_service import SuggestionService
from services.mesh.backends import Resources, Stores, shared_redis
from services.mesh.bridges import ArchiveFromTweets, CardsFromTweets, FoundFromCards, HandlesFromGraph, PagesFromCards, ReadersFromGraph
from services.mesh.event_flow import EmbeddedFlow, RabbitFlow
from services.mesh.kept import ReadModel, warm_home_pages
from services.mesh.notification_bridges import AuthorsOfTweets, MentionedFromGraph
from services.notification.known_handles import KnownHandles
from services.notification.ports import NotificationStore
from services.notification.service import NotificationService
from services.search.adapters.tantivy_index import TantivyIndex
from services.search.service import SearchService
from services.timeline.adapters.redis_author_pages import RedisAuthorPages
from services.timeline.ports import TimelineCache
from services.timeline.read_model import CachedReaders, CachedTweets
from services.timeline.service import TimelineService
from services.trending.ports import TrendStore
from services.trending.refresher import Refresher
from services.trending.service import TrendingService
from services.tweet.ports import RateLimiter, TweetRepository, UserDirectory
from services.tweet.service import TweetService

EventFlow = EmbeddedFlow | RabbitFlow


@dataclass
class FlowQueue:
    """One consuming service's view of its queue (fan-out's status page)."""

    flow: EventFlow
    service: str

    async def stats(self) -> QueueStats:
        return await self.flow.stats(self.service)


async def open_event_flow(settings: Settings, resources: Resources, outboxes: list[OutboxStore], hooks: FaultHooks) -> EventFlow:
    """In process by default; RabbitMQ, with a relay for each outbox, when CHIRP_RABBITMQ_URL is set."""
    retry = RetryPolicy(attempts=settings.retry_attempts, outage_seconds=settings.retry_outage_seconds)
    if not settings.rabbitmq_url:
        return EmbeddedFlow(outboxes, retry)
    namespace = settings.bus_namespace
    bus = await RabbitBus.connect(settings.rabbitmq_url, exchange=f"{namespace}.events", name=settings.service or "mesh",
                                  queue_type=settings.rabbitmq_queue_type)
    resources.closers.append(bus.close)
    resources.checks["rabbitmq"] = bus.ping
    holder = f"{settings.service or 'mesh'}.{settings.replica}"
    return RabbitFlow(bus, outboxes, namespace, settings.fanout_prefetch, retry, hooks, settings.replica, holder, settings.lease_seconds,
                      Batching(settings.relay_batch_events, settings.relay_linger_ms / 1000))


def suggestion_service(settings: Settings, resources: Resources, stores: Stores, hidden_copies: HiddenCopies | None) -> SuggestionService:
    """Who to follow over the graph's store: rankings kept in Redis when there is one, else in memory; each reader's
    hidden accounts through the shared lookup, from the copies Graph writes (its repository on a miss)."""
    rankings = RedisRankings(shared_redis(settings, resources)) if settings.redis_url else MemoryRankings()
    hidden = CachedHiddenAccounts(stores.graph, hidden_copies)
    suggestions = SuggestionService(stores.graph, stores.candidates, rankings, hidden, settings.suggestion_max_age_seconds)
    resources.closers.append(suggestions.close)
    return suggestions


class GraphCopies:
    """What Graph tells of follows and deletions, told to each reader that keeps copies of them."""

    def __init__(self, *copies: ReadCopies | None):
        self._copies = [c for c in copies if c is not None]

    async def follows_changed(self, user_id: int) -> None:
        for copies in self._copies:
            await best_effort(copies.follows_changed(user_id), "tell the read copies of a follow")

    async def account_deleted(self, user_id: int) -> None:
        for copies in self._copies:
            await best_effort(copies.account_deleted(user_id), "hide a deleted account from reads")


def tweet_service(repository: TweetRepository, users: UserDirectory, ids: IdSource, model: ReadModel | None,
                  limiter: RateLimiter, hidden: CachedHiddenAccounts) -> TweetService:
    """Tweets, telling the read model of each change, and serving user timelines from it when there is one."""
    tweets = TweetService(repository, users, ids, model.notices if model else None, limiter=limiter, hidden=hidden)
    if model is not None:
        warm = RedisAuthorPages(model.pages) if model.pages is not None else None
        tweets.kept = PagesFromCards(CachedTweets(CardsFromTweets(tweets), model.copies, model.posts), warm)
    return tweets


def timeline_service(settings: Settings, cache: TimelineCache, graph, tweets, model: ReadModel | None,
                     hidden: CachedHiddenAccounts) -> TimelineService:
    """Timelines over the Graph and Tweet services (in process or remote), read through the read model when there is one."""
    readers, cards, warm = ReadersFromGraph(graph), CardsFromTweets(tweets), None
    if model is not None:
        readers, cards = CachedReaders(readers, model.copies), CachedTweets(cards, model.copies, model.posts)
        warm = warm_home_pages(model, cache, hidden.copies)
    return TimelineService(cache, readers, cards, settings.timeline_length, warm, hidden=hidden)


def fanout_service(
    settings: Settings, timelines: TimelineWriter, unfollows: UnfollowMarks, followers: FollowerSource, tweets: AuthorTweets,
    flow: EventFlow, model: ReadModel | None = None,
) -> FanoutService:
    """Fan-out wired to its queues: events in, chunk jobs out (RabbitMQ) or applied in place (embedded)."""
    fanout = FanoutService(
        timelines, followers, tweets, unfollows, settings.fanout_batch_size, settings.timeline_length,
        flow.chunk_queue(), FlowQueue(flow, "fanout"), model.notices if model else None,
    )  # fmt: skip
    flow.consume("fanout", fanout.handle)
    flow.consume_chunks(fanout.apply)
    return fanout


SEARCH_BATCH_EVENTS = 1_000  # outbox events per embedded search commit, at most


def search_service(settings: Settings, resources: Resources, graph, tweets, flow: EventFlow, model: ReadModel | None,
                   hidden: CachedHiddenAccounts) -> SearchService:
    """Search over its own index, hydrating as home timelines do (through the read model when there is one)."""
    cards = CardsFromTweets(tweets)
    if model is not None:
        cards = CachedTweets(cards, model.copies, model.posts)
    index = TantivyIndex(settings.search_index_path)
    search = SearchService(index, FoundFromCards(cards), HandlesFromGraph(graph), ArchiveFromTweets(tweets), hidden, settings.search_commit_ms / 1000)
    resources.closers.append(search.close)  # runs before the stores close, after the flow stopped
    if isinstance(flow, EmbeddedFlow):
        flow.consume_batches("search", search.handle_batch, SEARCH_BATCH_EVENTS)
    else:
        flow.consume("search", search.handle, settings.search_prefetch)
    return search


def trending_service(settings: Settings, store: TrendStore, flow: EventFlow, clock: Callable[[], int]) -> TrendingService:
    """Trending on its queue (tweet events in), with its refresher, which the host starts and stops."""
    trending = TrendingService(store, Refresher(store, clock, settings.trending_refresh_seconds * 1000), clock)
    flow.consume("trending", trending.handle)
    return trending


NOTIFICATION_BATCH_EVENTS = 500  # outbox events per embedded notification transaction, at most


def notification_service(settings: Settings, store: NotificationStore, graph, tweets, hidden: CachedHiddenAccounts, flow: EventFlow,
                         clock: Callable[[], int]) -> NotificationService:  # fmt: skip
    """Notifications on their own queue (embedded: a batch of outbox events a transaction), over Graph and Tweet (in process or
    remote), hiding what visibility hides there (the same cached lookup as every read path)."""
    window_ms = settings.notification_window_seconds * 1000
    notifications = NotificationService(store, AuthorsOfTweets(tweets), KnownHandles(MentionedFromGraph(graph)), hidden, window_ms, clock)
    if isinstance(flow, EmbeddedFlow):
        flow.consume_batches("notification", notifications.handle_batch, NOTIFICATION_BATCH_EVENTS)
    else:
        flow.consume("notification", notifications.handle)
    return notifications
