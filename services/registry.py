"""The one list of Chirp's services: their contracts, what each calls, needs and consumes.

The launcher, the single-process bootstrap, configuration and the client
read it instead of naming the services again. It holds data only (the
generated contracts and the event types), so anything may import it.
"""

from dataclasses import dataclass

from google.protobuf.descriptor import ServiceDescriptor

from chirp.account.v1 import account_service_pb2, account_service_pb2_grpc
from chirp.fanout.v1 import fanout_service_pb2, fanout_service_pb2_grpc
from chirp.graph.v1 import graph_service_pb2, graph_service_pb2_grpc
from chirp.notification.v1 import notification_service_pb2, notification_service_pb2_grpc
from chirp.search.v1 import search_service_pb2, search_service_pb2_grpc
from chirp.snowflake.v1 import snowflake_service_pb2, snowflake_service_pb2_grpc
from chirp.timeline.v1 import timeline_service_pb2, timeline_service_pb2_grpc
from chirp.trending.v1 import trending_service_pb2, trending_service_pb2_grpc
from chirp.tweet.v1 import tweet_service_pb2, tweet_service_pb2_grpc
from services.common.kernel.events import (
    CelebrityChanged,
    Event,
    TweetCreated,
    TweetDeleted,
    TweetLiked,
    TweetUnliked,
    UserDeleted,
    UserFollowed,
    UserUnfollowed,
)  # fmt: skip

DATABASE, REDIS, RABBITMQ = "database_url", "redis_url", "rabbitmq_url"  # settings, from CHIRP_<SETTING>


@dataclass(frozen=True)
class ServiceEntry:
    name: str  # CHIRP_SERVICE's value, a target's key ("graph=..."), the client's stub
    contract: ServiceDescriptor
    stub: type
    calls: tuple[str, ...] = ()  # services it reaches over gRPC in mesh mode (CHIRP_<NAME>_TARGET)
    needs: tuple[str, ...] = ()  # the settings of the servers it needs in mesh mode
    consumes: tuple[type[Event], ...] = ()  # events delivered to its queue
    replicas: int = 1  # processes `make mesh` starts; 0 until it is built
    queue_per_replica: bool = False  # each replica holds everything (an index), so each needs every event
    addressed_posts_only: bool = False  # of the posts, its queue takes only those addressing someone (the others change nothing)

    @property
    def target_variable(self) -> str:
        return f"CHIRP_{self.name.upper()}_TARGET"

    @property
    def built(self) -> bool:
        return self.replicas > 0


def _contract(module, name: str) -> ServiceDescriptor:
    return module.DESCRIPTOR.services_by_name[name]


SERVICES = (
    ServiceEntry(
        "snowflake", _contract(snowflake_service_pb2, "SnowflakeService"), snowflake_service_pb2_grpc.SnowflakeServiceStub,
        needs=(DATABASE,),  # its worker id's lease
    ),
    ServiceEntry(
        "graph", _contract(graph_service_pb2, "GraphService"), graph_service_pb2_grpc.GraphServiceStub,
        calls=("snowflake",), needs=(DATABASE, REDIS, RABBITMQ),
    ),
    ServiceEntry(
        "account", _contract(account_service_pb2, "AccountService"), account_service_pb2_grpc.AccountServiceStub,
        calls=("graph",), needs=(DATABASE, REDIS, RABBITMQ), consumes=(UserDeleted,),
    ),
    ServiceEntry(
        "tweet", _contract(tweet_service_pb2, "TweetService"), tweet_service_pb2_grpc.TweetServiceStub,
        calls=("snowflake", "graph"), needs=(DATABASE, REDIS, RABBITMQ), consumes=(UserDeleted, CelebrityChanged),
    ),
    ServiceEntry(
        "timeline", _contract(timeline_service_pb2, "TimelineService"), timeline_service_pb2_grpc.TimelineServiceStub,
        calls=("graph", "tweet"), needs=(REDIS,), replicas=2,
    ),
    ServiceEntry(
        "fanout", _contract(fanout_service_pb2, "FanoutService"), fanout_service_pb2_grpc.FanoutServiceStub,
        calls=("graph", "tweet"), needs=(REDIS, RABBITMQ), replicas=2,
        consumes=(TweetCreated, TweetDeleted, UserFollowed, UserUnfollowed, UserDeleted, CelebrityChanged),
    ),
    ServiceEntry(
        "search", _contract(search_service_pb2, "SearchService"), search_service_pb2_grpc.SearchServiceStub,
        calls=("graph", "tweet"), needs=(REDIS, RABBITMQ), replicas=2, queue_per_replica=True,
        consumes=(TweetCreated, TweetDeleted, UserDeleted),
    ),
    ServiceEntry(
        "trending", _contract(trending_service_pb2, "TrendingService"), trending_service_pb2_grpc.TrendingServiceStub,
        needs=(REDIS, RABBITMQ), replicas=2, consumes=(TweetCreated, TweetDeleted, UserDeleted),
    ),
    ServiceEntry(
        "notification", _contract(notification_service_pb2, "NotificationService"),
        notification_service_pb2_grpc.NotificationServiceStub, calls=("graph", "tweet"), needs=(DATABASE, RABBITMQ),
        addressed_posts_only=True, consumes=(TweetCreated, TweetDeleted, TweetLiked, TweetUnliked, UserFollowed, UserUnfollowed, UserDeleted),
    ),
)
BY_NAME = {entry.name: entry for entry in SERVICES}
NAMES = tuple(BY_NAME)
BUILT = tuple(entry for entry in SERVICES if entry.built)  # those that run as a process of their own


def entry(name: str) -> ServiceEntry:
    return BY_NAME[name]
