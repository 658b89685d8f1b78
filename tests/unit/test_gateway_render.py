"""The gateway's printer writes what json_format.MessageToDict(always_print_fields_with_no_presence=True) writes."""

import pytest
from google.protobuf import json_format

from chirp.fanout.v1 import fanout_service_pb2 as fanout_pb
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.search.v1 import search_service_pb2 as search_pb
from chirp.snowflake.v1 import snowflake_service_pb2 as snowflake_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.trending.v1 import trending_service_pb2 as trending_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from services.gateway.render import to_json_object


def tweet(n: int, retweet_of=None) -> tweet_pb.Tweet:
    made = tweet_pb.Tweet(tweet_id=2**63 + n, text=f"héllo {n} 世界", like_count=n, viewer_liked=bool(n % 2), in_reply_to_tweet_id=n)
    made.author.CopyFrom(graph_pb.User(user_id=n, handle=f"u{n}", follower_count=2**40))
    made.create_time.FromMilliseconds(1_767_000_000_123 + n)
    if retweet_of is not None:
        made.retweeted_tweet.CopyFrom(retweet_of)
    return made


MESSAGES = [
    timeline_pb.ListHomeTimelineResponse(tweets=[tweet(1), tweet(2, retweet_of=tweet(3))], next_page_token="abc"),
    timeline_pb.ListHomeTimelineResponse(),
    graph_pb.CreateUserResponse(),
    graph_pb.CreateUserResponse(user=graph_pb.User()),
    graph_pb.ListFollowerIdsResponse(follower_ids=[1, 2**64 - 1]),
    search_pb.GetSearchStatusResponse(state=search_pb.SEARCH_INDEX_STATE_CATCHING_UP, indexed_tweets=7),
    search_pb.SearchTweetsRequest(order=7),  # an enum number with no name stays a number
    trending_pb.ListTrendingHashtagsResponse(hashtags=[trending_pb.TrendingHashtag(hashtag="#a", score=1.25), trending_pb.TrendingHashtag(score=float("inf"))],
                                             window_minutes=60),  # fmt: skip
    fanout_pb.GetFanoutStatusResponse(queue_depth=3, oldest_pending_age={"seconds": 1, "nanos": 500_000_000}),
    snowflake_pb.NextIdsResponse(ids=[5, 6]),
    snowflake_pb.DecodeIdResponse(worker_id=3, sequence=4),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_printed_as_json_format_prints_it(message):
    assert to_json_object(message) == json_format.MessageToDict(message, always_print_fields_with_no_presence=True)
