"""The design's flows, end to end over gRPC on the embedded defaults."""

import asyncio

import grpc
import pytest

from chirp.fanout.v1 import fanout_service_pb2 as fanout_pb
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.snowflake.v1 import snowflake_service_pb2 as snowflake_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from tests.conftest import EVERY_STORE, LiveMesh, as_user, settings_on

pytestmark = pytest.mark.scenario


@pytest.fixture(params=EVERY_STORE)
async def settings(request, tmp_path):
    """Every scenario runs on both timeline caches (in memory, and on the Redis server) over SQLite
    and the embedded bus, and on the production backends: PostgreSQL, Redis and RabbitMQ."""
    async with settings_on(request.param, tmp_path) as settings:
        yield settings


async def fanout_status(live: LiveMesh) -> fanout_pb.GetFanoutStatusResponse:
    return await live.client.fanout.GetFanoutStatus(fanout_pb.GetFanoutStatusRequest())


async def test_hybrid_fanout_writes_nothing_for_a_celebrity_yet_every_follower_sees_the_tweet(live: LiveMesh):
    star = await live.register("star")
    fans = [await live.register(f"fan{i}") for i in range(6)]  # threshold is 5 in tests
    for fan in fans:
        await live.follow(fan, star)
        await live.home_ids(fan)  # every fan has a cached timeline that a push could reach
    await live.settle()
    before = await fanout_status(live)
    tweet = await live.post(star, "a celebrity speaks")
    await live.settle()
    after = await fanout_status(live)
    assert after.timeline_writes == before.timeline_writes
    assert after.celebrity_tweets_skipped == before.celebrity_tweets_skipped + 1
    for fan in fans:
        assert tweet not in await live.mesh.cache.read(fan)
        assert (await live.home_ids(fan))[0] == tweet


async def test_an_ordinary_author_is_pushed_to_every_cached_follower(live: LiveMesh):
    author = await live.register("author")
    readers = [await live.register(f"reader{i}") for i in range(3)]
    for reader in readers:
        await live.follow(reader, author)
        await live.home_ids(reader)
    await live.settle()
    before = await fanout_status(live)
    tweet = await live.post(author, "pushed")
    await live.settle()
    assert (await fanout_status(live)).timeline_writes == before.timeline_writes + 3
    for reader in readers:
        assert await live.mesh.cache.read(reader) == [tweet]


async def test_follow_backfills_and_unfollow_removes(live: LiveMesh):
    alice, bob = await live.register("alice"), await live.register("bob")
    posted = [await live.post(alice, f"tweet {n}") for n in range(3)]
    assert await live.home_ids(bob) == []
    await live.follow(bob, alice)
    await live.settle()
    assert await live.mesh.cache.read(bob) == posted[::-1]
    assert await live.home_ids(bob) == posted[::-1]
    await live.client.graph.UnfollowUser(graph_pb.UnfollowUserRequest(user_id=alice), metadata=as_user(bob))
    await live.settle()
    assert await live.mesh.cache.read(bob) == []
    assert await live.home_ids(bob) == []


async def test_a_deleted_tweet_disappears_from_timelines_lists_and_counts(live: LiveMesh):
    alice, bob = await live.register("alice"), await live.register("bob")
    await live.follow(bob, alice)
    await live.home_ids(bob)
    parent = await live.post(alice, "parent")
    reply = await live.post(bob, "a reply", reply_to=parent)
    await live.settle()
    assert await live.home_ids(bob) == [reply, parent]
    parent_view = (await live.client.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=parent))).tweet
    assert parent_view.reply_count == 1

    await live.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=reply), metadata=as_user(bob))
    await live.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=parent), metadata=as_user(alice))
    assert parent not in await live.home_ids(bob)  # hidden at once, before any cleanup
    await live.settle()
    assert parent not in await live.mesh.cache.read(bob)
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await live.client.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=parent))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    listed = await live.client.tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=alice))
    assert list(listed.tweets) == []


async def test_the_author_sees_their_own_tweet_at_once(live: LiveMesh):
    author = await live.register("author")
    await live.home_ids(author)
    tweet = await live.post(author, "mine")
    assert (await live.home_ids(author))[0] == tweet  # no waiting for fan-out


async def test_pages_stay_correct_while_new_tweets_arrive(live: LiveMesh):
    reader = await live.register("reader")
    authors = [await live.register(f"author{i}") for i in range(4)]
    for author in authors:
        await live.follow(reader, author)
    before = [await live.post(authors[n % 4], f"old {n}") for n in range(30)]
    await live.settle()

    async def keep_posting():
        for n in range(20):
            await live.post(authors[n % 4], f"new {n}")

    async def read_all_pages() -> list[int]:
        seen, token = [], ""
        while True:
            request = timeline_pb.ListHomeTimelineRequest(page_size=7, page_token=token)
            page = await live.client.timeline.ListHomeTimeline(request, metadata=as_user(reader))
            seen += [t.tweet_id for t in page.tweets]
            token = page.next_page_token
            if not token:
                return seen

    _, seen = await asyncio.gather(keep_posting(), read_all_pages())
    assert len(seen) == len(set(seen)), "a tweet was shown twice"
    assert seen == sorted(seen, reverse=True)
    assert set(before) <= set(seen), "a tweet that existed before paging began was skipped"


async def test_a_deleted_account_vanishes_with_its_tweets_likes_follows_and_timeline(live: LiveMesh):
    alice, bob, carol = [await live.register(h) for h in ("alice", "bob", "carol")]
    await live.follow(bob, carol)
    await live.follow(carol, alice)
    await live.home_ids(bob)
    await live.home_ids(carol)
    original = await live.post(alice, "original")
    await live.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=original), metadata=as_user(carol))
    await live.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=original), metadata=as_user(carol))
    own = await live.post(carol, "carol was here")
    await live.settle()
    assert own in await live.home_ids(bob)

    await live.client.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=carol), metadata=as_user(carol))
    assert own not in await live.home_ids(bob)  # hidden at once
    await live.settle()
    alice_now = (await live.client.graph.GetUser(graph_pb.GetUserRequest(user_id=alice))).user
    assert alice_now.follower_count == 0
    original_now = (await live.client.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=original))).tweet
    assert (original_now.like_count, original_now.retweet_count) == (0, 0)
    assert await live.mesh.cache.read(carol) is None
    assert await live.mesh.cache.read(bob) == []
    assert await live.home_ids(bob) == []
    with pytest.raises(grpc.aio.AioRpcError) as gone:
        await live.client.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=own))
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as refused:  # carol posted before, so the Tweet service knew her
        await live.post(carol, "from a deleted account")
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert await live.register("carol")  # the handle is free again


async def test_concurrent_likes_keep_the_count_exact(live: LiveMesh):
    author = await live.register("author")
    fans = [await live.register(f"fan{i}") for i in range(20)]
    tweet = await live.post(author, "like me")

    async def like(fan):
        await live.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=tweet), metadata=as_user(fan))

    await asyncio.gather(*(like(fan) for fan in fans + fans))  # every like twice, all at once
    view = (await live.client.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=tweet), metadata=as_user(fans[0]))).tweet
    assert (view.like_count, view.viewer_liked) == (20, True)

    async def unlike(fan):
        await live.client.tweet.UnlikeTweet(tweet_pb.UnlikeTweetRequest(tweet_id=tweet), metadata=as_user(fan))

    await asyncio.gather(*(unlike(fan) for fan in fans + fans))
    view = (await live.client.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=tweet))).tweet
    assert view.like_count == 0


async def test_retweets_show_the_original_and_count(live: LiveMesh):
    alice, bob, carol = [await live.register(h) for h in ("alice", "bob", "carol")]
    await live.follow(carol, bob)
    await live.home_ids(carol)
    original = await live.post(alice, "worth sharing")
    retweet = (await live.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=original), metadata=as_user(bob))).tweet
    assert retweet.retweeted_tweet.tweet_id == original and retweet.retweeted_tweet.retweet_count == 1
    await live.settle()
    page = await live.client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), metadata=as_user(carol))
    assert [(t.author.handle, t.retweeted_tweet.tweet_id) for t in page.tweets] == [("bob", original)]
    await live.client.tweet.UndoRetweet(tweet_pb.UndoRetweetRequest(tweet_id=original), metadata=as_user(bob))
    await live.settle()
    assert await live.home_ids(carol) == []


async def test_deleting_your_retweet_shows_the_original_unretweeted_in_your_next_read(live: LiveMesh):
    alice, bob = [await live.register(h) for h in ("alice", "bob")]
    await live.follow(bob, alice)
    original = await live.post(alice, "worth sharing")
    await live.settle()
    retweet = (await live.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=original), metadata=as_user(bob))).tweet
    await live.home_ids(bob)  # the read model now holds the original's card and bob's state on it
    await live.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=retweet.tweet_id), metadata=as_user(bob))
    await live.settle()
    page = await live.client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), metadata=as_user(bob))
    shown = {t.tweet_id: t for t in page.tweets}
    assert original in shown and retweet.tweet_id not in shown
    assert not shown[original].viewer_retweeted and shown[original].retweet_count == 0


async def test_snowflake_ids_over_grpc_are_increasing_and_decode_to_now(live: LiveMesh):
    ids = list((await live.client.snowflake.NextIds(snowflake_pb.NextIdsRequest(count=1000))).ids)
    assert ids == sorted(set(ids)) and len(ids) == 1000
    single = (await live.client.snowflake.NextId(snowflake_pb.NextIdRequest())).id
    assert single > ids[-1]
    decoded = await live.client.snowflake.DecodeId(snowflake_pb.DecodeIdRequest(id=single))
    assert decoded.worker_id == live.mesh.settings.worker_id
    assert decoded.create_time.seconds > 1_700_000_000


async def test_tweets_posted_concurrently_are_all_readable_at_once(live: LiveMesh):
    authors = [await live.register(f"author{i}") for i in range(8)]

    async def post_and_read(author: int, n: int) -> None:
        tweet = await live.post(author, f"burst {n}")
        await live.client.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=tweet))

    await asyncio.gather(*(post_and_read(authors[n % 8], n) for n in range(200)))
    listed = await live.client.tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=authors[0], page_size=100))
    assert len(listed.tweets) == 25


async def test_a_follow_racing_an_account_deletion_leaves_no_orphan_edge(live: LiveMesh):
    for round_ in range(10):
        bob, carol = await live.register(f"bob{round_}"), await live.register(f"carol{round_}")

        async def follow():
            await live.follow(bob, carol)

        async def delete():
            await live.client.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=carol), metadata=as_user(carol))

        await asyncio.gather(follow(), delete(), return_exceptions=True)
        bob_now = (await live.client.graph.GetUser(graph_pb.GetUserRequest(user_id=bob))).user
        following = await live.client.graph.ListFollowing(graph_pb.ListFollowingRequest(user_id=bob))
        assert bob_now.following_count == len(following.users) == 0


async def test_a_nul_character_is_invalid_argument_on_every_store(live: LiveMesh):
    author = await live.register("nul")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await live.post(author, "a\x00b")
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "U+0000" in refused.value.details()


async def _unfollow(live: LiveMesh, follower: int, followee: int) -> None:
    await live.client.graph.UnfollowUser(graph_pb.UnfollowUserRequest(user_id=followee), metadata=as_user(follower))


async def _is_celebrity(live: LiveMesh, user: int) -> bool:
    return (await live.client.graph.GetUser(graph_pb.GetUserRequest(user_id=user))).user.celebrity


async def test_crossing_the_celebrity_line_either_way_loses_no_tweet(live: LiveMesh):
    """Threshold 5 in tests: a celebrity at 5 followers, and one no longer below 4 (the hysteresis)."""
    star = await live.register("crosser")
    early, *crowd, late = [await live.register(f"crowd{i}") for i in range(6)]
    await live.follow(early, star)
    await live.home_ids(early)  # a cached timeline for pushes to reach
    before = await live.post(star, "while ordinary: pushed")
    for fan in crowd:
        await live.follow(fan, star)
    await live.settle()
    assert await _is_celebrity(live, star)
    during = await live.post(star, "while a celebrity: pulled")
    await live.follow(late, star)  # followed while a celebrity
    await live.home_ids(late)
    await live.settle()
    assert during not in await live.mesh.cache.read(early)
    await _unfollow(live, crowd[0], star)  # 6 → 5 → 4 followers: still a celebrity (no flapping at the line)
    await _unfollow(live, crowd[1], star)
    assert await _is_celebrity(live, star)
    for fan in crowd[2:]:  # 3, then 2: below the lower line
        await _unfollow(live, fan, star)
    assert not await _is_celebrity(live, star)
    await live.settle()
    after = await live.post(star, "ordinary again: pushed")
    await live.settle()
    for reader in (early, late):
        assert {before, during, after} <= set(await live.mesh.cache.read(reader))  # pushed, not pulled
        assert (await live.home_ids(reader))[:3] == [after, during, before]


async def test_a_celebrity_followed_shows_in_the_followers_next_read(live: LiveMesh):
    """The reader's celebrities are read again once the follow commits (the read model is told then)."""
    star = await live.register("famous")
    for i in range(5):  # threshold 5 in tests
        await live.follow(await live.register(f"admirer{i}"), star)
    await live.settle()
    assert await _is_celebrity(live, star)
    reader = await live.register("newcomer")
    assert await live.home_ids(reader) == []  # the reader is now known to follow no celebrity
    tweet = await live.post(star, "pulled, never pushed")
    await live.follow(reader, star)
    assert await live.home_ids(reader) == [tweet]
