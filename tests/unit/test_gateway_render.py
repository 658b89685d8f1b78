"""The gateway's printer writes what json_format.MessageToDict(always_print_fields_with_no_presence=True) writes,
and every response the edge returns is, byte for byte, that dict dumped compactly (as orjson writes it).

One difference is left: a double under 1e-4 (a decayed trending score could be one) prints its exponent
unpadded (orjson `1e-7`, json.dumps `1e-07`): the same number in other bytes."""

import json

import pytest
from google.protobuf import duration_pb2, json_format, message_factory, timestamp_pb2
from google.protobuf.descriptor import FieldDescriptor

from chirp.fanout.v1 import fanout_service_pb2 as fanout_pb
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.search.v1 import search_service_pb2 as search_pb
from chirp.snowflake.v1 import snowflake_service_pb2 as snowflake_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.trending.v1 import trending_service_pb2 as trending_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from services.gateway.catalog import all_bindings
from services.gateway.render import to_json_object
from services.gateway.transcode import render_response


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


def filled(descriptor, depth: int = 0):
    """A message of that type with every field set away from its default (two elements a list), nested messages two deep."""
    message = message_factory.GetMessageClass(descriptor)()
    for field in descriptor.fields:
        if field.message_type is not None:
            if depth >= 2:
                continue
            nested = WELL_KNOWN.get(field.message_type.full_name) or filled(field.message_type, depth + 1)
            if field.is_repeated:
                getattr(message, field.name).extend([nested, nested])
            else:
                getattr(message, field.name).CopyFrom(nested)
            continue
        value = field.enum_type.values[-1].number if field.enum_type is not None else SCALARS[field.cpp_type]
        getattr(message, field.name).extend([value, value]) if field.is_repeated else setattr(message, field.name, value)
    return message


F = FieldDescriptor
WELL_KNOWN = {"google.protobuf.Timestamp": timestamp_pb2.Timestamp(seconds=1_767_000_000, nanos=123_000_000),
              "google.protobuf.Duration": duration_pb2.Duration(seconds=1, nanos=500_000_000)}  # fmt: skip
SCALARS = {F.CPPTYPE_INT64: -(2**63), F.CPPTYPE_UINT64: 2**64 - 1, F.CPPTYPE_INT32: -7, F.CPPTYPE_UINT32: 7, F.CPPTYPE_BOOL: True,
           F.CPPTYPE_STRING: 'héllo "世界"\n\u2028', F.CPPTYPE_DOUBLE: 1.25, F.CPPTYPE_FLOAT: 0.5}  # fmt: skip
BINDINGS = sorted(all_bindings(), key=lambda b: b.rpc)


@pytest.mark.parametrize("binding", BINDINGS, ids=lambda b: f"{b.method.name}:{b.http_method}:{b.template.source}")
@pytest.mark.parametrize("kind", ["filled", "empty"])
def test_every_response_is_the_bytes_json_format_gives(binding, kind):
    """Byte for byte what MessageToDict(always_print_fields_with_no_presence=True) dumped compactly gives: 64-bit ids as
    strings, lowerCamelCase names, fields without presence always written, unset messages left out, response_body applied."""
    response = filled(binding.method.output_type) if kind == "filled" else message_factory.GetMessageClass(binding.method.output_type)()
    whole = json_format.MessageToDict(response, always_print_fields_with_no_presence=True)
    if binding.response_body:
        field = binding.method.output_type.fields_by_name[binding.response_body]
        part = getattr(response, binding.response_body)
        whole = json_format.MessageToDict(part, always_print_fields_with_no_presence=True) if field.message_type and not field.is_repeated \
            else whole[field.json_name]  # fmt: skip
    assert render_response(binding, response) == json.dumps(whole, separators=(",", ":"), ensure_ascii=False).encode()


def test_ids_are_strings_and_names_lower_camel_case_in_a_home_page():
    page = json.loads(render_response(next(b for b in BINDINGS if b.method.name == "ListHomeTimeline"), MESSAGES[0]))
    assert page["tweets"][0]["tweetId"] == str(2**63 + 1) and page["tweets"][0]["author"]["followerCount"] == str(2**40)
    assert page["nextPageToken"] == "abc" and "retweetedTweet" not in page["tweets"][0]


@pytest.mark.parametrize("seconds", [0, 1, 59, 86_399, 951_782_400, 1_767_000_000, 4_102_444_800, 253_402_300_799, -1, -62_135_596_800])
@pytest.mark.parametrize("nanos", [0, 1, 999, 1_000, 123_000, 123_456_000, 5_000_000, 999_999_999])
def test_timestamps_print_as_protobuf_prints_them(seconds, nanos):
    stamp = timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)
    assert to_json_object(stamp) == stamp.ToJsonString()


def test_a_remembered_element_or_timestamp_prints_afresh_once_it_changes():
    page = timeline_pb.ListHomeTimelineResponse(tweets=[tweet(1), tweet(1)])
    assert to_json_object(page) == to_json_object(page) == json_format.MessageToDict(page, always_print_fields_with_no_presence=True)
    page.tweets[1].like_count, page.tweets[1].create_time.nanos = 99, 7
    printed = to_json_object(page)["tweets"]
    assert printed[0]["likeCount"] == "1" and printed[1]["likeCount"] == "99" and printed[1]["createTime"].endswith(".000000007Z")


def test_the_memories_start_over_when_full(monkeypatch):
    from services.gateway import remembered

    monkeypatch.setattr(remembered, "ELEMENTS_KEPT", 1)
    monkeypatch.setattr(remembered, "TIMESTAMPS_KEPT", 1)
    for n in (4, 5, 4):
        page = timeline_pb.ListHomeTimelineResponse(tweets=[tweet(n), tweet(n + 1)])
        assert to_json_object(page) == json_format.MessageToDict(page, always_print_fields_with_no_presence=True)
    assert len(remembered._timestamp_texts) == 1
