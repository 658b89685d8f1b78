"""Rate limits through the real gRPC services, on the embedded defaults (buckets in memory) and on the
production backends (buckets in Redis): a refused call is RESOURCE_EXHAUSTED with a RetryInfo, and stores nothing."""

import asyncio
import re

import grpc
import pytest
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from services.common.limits.rates import BLOCK, FOLLOW, LIKE, POST, Rate
from tests.conftest import LiveMesh, as_user, make_settings, production_backends

LIMITED = {POST: Rate(10, 60), FOLLOW: Rate(2, 3600), LIKE: Rate(2, 3600), BLOCK: Rate(2, 3600)}
TWO_A_SECOND = {POST: Rate(2, 1)}


@pytest.fixture(params=["embedded", "production"])
async def settings(request, tmp_path):
    """request.param: the backends, and with "per-second" in it, posts limited to two a second."""
    rates = TWO_A_SECOND if "per-second" in request.param else LIMITED
    if request.param.startswith("production"):
        async with production_backends(tmp_path, rate_limits=rates) as settings:
            yield settings
    else:
        yield make_settings(tmp_path, rate_limits=rates)


async def refused(call) -> tuple[str, float]:
    """The message and the RetryInfo delay (seconds) of a call that must be RESOURCE_EXHAUSTED."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    status = rpc_status.from_call(caught.value)
    retry = error_details_pb2.RetryInfo()
    assert status is not None and any(detail.Unpack(retry) for detail in status.details), "no RetryInfo detail"
    return status.message, duration_pb2.Duration.ToTimedelta(retry.retry_delay).total_seconds()


async def own_tweets(live: LiveMesh, user_id: int) -> list[int]:
    page = await live.client.tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=user_id, page_size=100))
    return [t.tweet_id for t in page.tweets]


async def test_the_eleventh_post_in_a_minute_is_refused_with_when_to_retry_and_nothing_is_stored(live: LiveMesh):
    alice = await live.register("alice")
    posted = [await live.post(alice, f"tweet {n}") for n in range(10)]
    message, delay = await refused(live.post(alice, "one too many"))
    assert re.fullmatch(r"10 posts a minute: try again in [1-6] s", message), message
    assert 0 < delay <= 6
    assert await own_tweets(live, alice) == posted[::-1]
    bob = await live.register("bob")
    await live.post(bob, "another user's bucket is full")


async def test_replies_and_retweets_count_as_posts(live: LiveMesh):
    alice, bob = await live.register("alice"), await live.register("bob")
    first, second = await live.post(alice, "an original"), await live.post(alice, "another")
    for n in range(9):
        await live.post(bob, f"reply {n}", reply_to=first)
    await live.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=first), metadata=as_user(bob))
    await refused(live.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=second), metadata=as_user(bob)))
    await refused(live.post(bob, "a reply too many", reply_to=second))
    shown = await live.client.tweet.BatchGetTweets(tweet_pb.BatchGetTweetsRequest(tweet_ids=[first, second]))
    assert [(t.reply_count, t.retweet_count) for t in shown.tweets] == [(9, 1), (0, 0)]


async def test_a_third_follow_and_a_third_like_in_an_hour_are_refused_and_change_nothing(live: LiveMesh):
    reader = await live.register("reader")
    authors = [await live.register(f"author{n}") for n in range(3)]
    for author in authors[:2]:
        await live.follow(reader, author)
    message, _ = await refused(live.follow(reader, authors[2]))
    assert message.startswith("2 follows an hour: try again in ")
    assert not await live.mesh.graph.is_following(reader, authors[2])
    tweets = [await live.post(author, "like me") for author in authors]
    for tweet in tweets[:2]:
        await live.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=tweet), metadata=as_user(reader))
    like = live.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=tweets[2]), metadata=as_user(reader))
    assert (await refused(like))[0].startswith("2 likes an hour: try again in ")
    assert (await live.client.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=tweets[2]))).tweet.like_count == 0


async def test_blocks_and_mutes_share_a_bucket_and_a_refused_one_changes_nothing(live: LiveMesh):
    reader = await live.register("reader")
    others = [await live.register(f"other{n}") for n in range(3)]
    await live.client.graph.BlockUser(graph_pb.BlockUserRequest(user_id=others[0]), metadata=as_user(reader))
    await live.client.graph.MuteUser(graph_pb.MuteUserRequest(user_id=others[1]), metadata=as_user(reader))
    message, delay = await refused(live.client.graph.BlockUser(graph_pb.BlockUserRequest(user_id=others[2]), metadata=as_user(reader)))
    assert message.startswith("2 blocks and mutes an hour: try again in ") and delay > 0
    await refused(live.client.graph.MuteUser(graph_pb.MuteUserRequest(user_id=others[2]), metadata=as_user(reader)))
    await live.client.graph.UnblockUser(graph_pb.UnblockUserRequest(user_id=others[0]), metadata=as_user(reader))  # undoing is not limited
    blocked = await live.client.graph.ListBlockedUsers(graph_pb.ListBlockedUsersRequest(), metadata=as_user(reader))
    muted = await live.client.graph.ListMutedUsers(graph_pb.ListMutedUsersRequest(), metadata=as_user(reader))
    assert list(blocked.users) == [] and [u.user_id for u in muted.users] == [others[1]]


@pytest.mark.parametrize("settings", ["embedded, per-second", "production, per-second"], indirect=True)
async def test_a_bucket_refills_in_the_time_the_retry_info_gave(live: LiveMesh):
    """Half a second passes for real: a running mesh counts time on the wall clock (the contract suite moves a fake one)."""
    alice = await live.register("alice")
    await live.post(alice, "one")
    await live.post(alice, "two")
    _, delay = await refused(live.post(alice, "three"))
    await asyncio.sleep(delay + 0.05)
    await live.post(alice, "three, after the wait")
    assert len(await own_tweets(live, alice)) == 3
