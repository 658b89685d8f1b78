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


class Stubs:
    """One typed stub per service, on one channel."""

    def __init__(self, channel):
        self.snowflake = snowflake_service_pb2_grpc.SnowflakeServiceStub(channel)
        self.graph = graph_service_pb2_grpc.GraphServiceStub(channel)
        self.tweets = tweet_service_pb2_grpc.TweetServiceStub(channel)
        self.timeline = timeline_service_pb2_grpc.TimelineServiceStub(channel)
        self.fanout = fanout_service_pb2_grpc.FanoutServiceStub(channel)
        self.search = search_service_pb2_grpc.SearchServiceStub(channel)
        self.trending = trending_service_pb2_grpc.TrendingServiceStub(channel)
