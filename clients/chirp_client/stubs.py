"""The generated stubs of every Chirp service, gathered once for both clients."""

from chirp.fanout.v1 import fanout_service_pb2, fanout_service_pb2_grpc
from chirp.graph.v1 import graph_service_pb2, graph_service_pb2_grpc
from chirp.search.v1 import search_service_pb2, search_service_pb2_grpc
from chirp.snowflake.v1 import snowflake_service_pb2, snowflake_service_pb2_grpc
from chirp.timeline.v1 import timeline_service_pb2, timeline_service_pb2_grpc
from chirp.trending.v1 import trending_service_pb2, trending_service_pb2_grpc
from chirp.tweet.v1 import tweet_service_pb2, tweet_service_pb2_grpc
from chirp_client.service_config import service_config

SERVICES = [
    snowflake_service_pb2.DESCRIPTOR.services_by_name["SnowflakeService"],
    graph_service_pb2.DESCRIPTOR.services_by_name["GraphService"],
    tweet_service_pb2.DESCRIPTOR.services_by_name["TweetService"],
    timeline_service_pb2.DESCRIPTOR.services_by_name["TimelineService"],
    fanout_service_pb2.DESCRIPTOR.services_by_name["FanoutService"],
    search_service_pb2.DESCRIPTOR.services_by_name["SearchService"],
    trending_service_pb2.DESCRIPTOR.services_by_name["TrendingService"],
]

CHANNEL_OPTIONS = [("grpc.enable_retries", 1), ("grpc.service_config", service_config(SERVICES))]


SERVICE_KEYS = ("snowflake", "graph", "tweet", "timeline", "fanout", "search", "trending")


def parse_targets(target: str) -> dict[str, str]:
    """Where each service is: one address for all (`127.0.0.1:50051`), or per service,
    `graph=127.0.0.1:50061;timeline=ipv4:127.0.0.1:50063,127.0.0.1:50064;...` (several
    addresses balance round-robin), with an optional bare address for the rest."""
    if "=" not in target:
        return dict.fromkeys(SERVICE_KEYS, target)
    targets, default = {}, ""
    for part in filter(None, (p.strip() for p in target.split(";"))):
        key, _, address = part.rpartition("=")
        if not key:
            default = address
        elif key not in SERVICE_KEYS:
            raise ValueError(f"unknown service {key!r} in target; known: {', '.join(SERVICE_KEYS)}")
        else:
            targets[key] = address
    return {key: targets.get(key, default) for key in SERVICE_KEYS if targets.get(key, default)}


class Stubs:
    """One typed stub per service, each on its service's channel."""

    def __init__(self, channels: dict):
        first = next(iter(channels.values()))
        self.snowflake = snowflake_service_pb2_grpc.SnowflakeServiceStub(channels.get("snowflake", first))
        self.graph = graph_service_pb2_grpc.GraphServiceStub(channels.get("graph", first))
        self.tweets = tweet_service_pb2_grpc.TweetServiceStub(channels.get("tweet", first))
        self.timeline = timeline_service_pb2_grpc.TimelineServiceStub(channels.get("timeline", first))
        self.fanout = fanout_service_pb2_grpc.FanoutServiceStub(channels.get("fanout", first))
        self.search = search_service_pb2_grpc.SearchServiceStub(channels.get("search", first))
        self.trending = trending_service_pb2_grpc.TrendingServiceStub(channels.get("trending", first))
