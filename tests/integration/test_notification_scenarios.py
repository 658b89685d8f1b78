"""Notifications end to end over gRPC: events in through the service's own queue, grouped, filtered, read.

Each scenario runs on the embedded defaults (SQLite, the in-process bus) and
on the production backends (PostgreSQL, RabbitMQ).
"""

import grpc
import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.notification.v1 import notification_service_pb2 as pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from tests.conftest import LiveMesh, as_user, settings_on

pytestmark = pytest.mark.scenario


@pytest.fixture(params=["memory", "production"])
async def settings(request, tmp_path):
    async with settings_on(request.param, tmp_path) as settings:
        yield settings


async def listed(live: LiveMesh, user: int, page_size: int = 50) -> list[pb.Notification]:
    await live.settle()
    return list((await live.client.notifications(page_size, metadata=as_user(user))).notifications)


async def like(live: LiveMesh, user: int, tweet: int) -> None:
    await live.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=tweet), metadata=as_user(user))


async def unlike(live: LiveMesh, user: int, tweet: int) -> None:
    await live.client.tweet.UnlikeTweet(tweet_pb.UnlikeTweetRequest(tweet_id=tweet), metadata=as_user(user))


async def test_a_burst_of_likes_groups_into_one_notification_with_an_exact_count(live: LiveMesh):
    author = await live.register("author")
    tweet = await live.post(author, "worth a like")
    fans = [await live.register(f"fan{n}") for n in range(8)]
    for fan in fans:
        await like(live, fan, tweet)
    [note] = await listed(live, author)
    assert (note.kind, note.tweet_id, note.actor_count) == (pb.NOTIFICATION_KIND_LIKE, tweet, 8)
    assert [a.handle for a in note.actors] == ["fan7", "fan6", "fan5"]
    assert note.summary == "fan7 and 7 others liked your tweet"
    assert note.unread


async def test_undoing_a_like_removes_it_from_the_group(live: LiveMesh):
    author, ann, bob = await live.register("author"), await live.register("ann"), await live.register("bob")
    tweet = await live.post(author, "liked twice, then once")
    await like(live, ann, tweet)
    await like(live, bob, tweet)
    assert [n.actor_count for n in await listed(live, author)] == [2]
    await unlike(live, bob, tweet)
    [note] = await listed(live, author)
    assert (note.actor_count, [a.handle for a in note.actors], note.summary) == (1, ["ann"], "ann liked your tweet")
    await unlike(live, ann, tweet)
    assert await listed(live, author) == []


async def test_own_actions_do_not_notify(live: LiveMesh):
    me = await live.register("me")
    tweet = await live.post(me, "talking to myself, @me")
    await like(live, me, tweet)
    await live.post(me, "a reply to myself", reply_to=tweet)
    await live.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=tweet), metadata=as_user(me))
    assert await listed(live, me) == []


async def test_mentions_replies_retweets_and_follows_each_notify_their_target(live: LiveMesh):
    ann, bob, cat = await live.register("ann"), await live.register("bob"), await live.register("cat")
    tweet = await live.post(ann, "hello")
    reply = await live.post(bob, "@ann hi, and @cat too", reply_to=tweet)
    await live.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=tweet), metadata=as_user(cat))
    await live.follow(bob, ann)
    kinds = {n.kind: n for n in await listed(live, ann)}
    assert set(kinds) == {pb.NOTIFICATION_KIND_REPLY, pb.NOTIFICATION_KIND_RETWEET, pb.NOTIFICATION_KIND_FOLLOW}  # no mention: a reply
    assert kinds[pb.NOTIFICATION_KIND_FOLLOW].summary == "bob followed you"
    [mention] = await listed(live, cat)
    assert (mention.kind, mention.tweet_id, mention.summary) == (pb.NOTIFICATION_KIND_MENTION, reply, "bob mentioned you")


async def test_an_unfollow_takes_the_follow_back(live: LiveMesh):
    ann, bob = await live.register("ann"), await live.register("bob")
    await live.follow(bob, ann)
    assert len(await listed(live, ann)) == 1
    await live.client.graph.UnfollowUser(graph_pb.UnfollowUserRequest(user_id=ann), metadata=as_user(bob))
    assert await listed(live, ann) == []


async def test_a_deleted_tweet_removes_its_notifications(live: LiveMesh):
    ann, bob, cat = await live.register("ann"), await live.register("bob"), await live.register("cat")
    tweet = await live.post(ann, "soon gone")
    await like(live, bob, tweet)
    await live.post(cat, "a reply that stays only as long as its tweet", reply_to=tweet)
    mention = await live.post(bob, "hey @cat")
    assert len(await listed(live, ann)) == 2 and len(await listed(live, cat)) == 1
    await live.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=tweet), metadata=as_user(ann))
    await live.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=mention), metadata=as_user(bob))
    assert await listed(live, ann) == []
    assert await listed(live, cat) == []


async def test_a_deleted_reply_leaves_the_group(live: LiveMesh):
    ann, bob, cat = await live.register("ann"), await live.register("bob"), await live.register("cat")
    tweet = await live.post(ann, "ask me")
    first = await live.post(bob, "one", reply_to=tweet)
    await live.post(cat, "two", reply_to=tweet)
    assert [n.actor_count for n in await listed(live, ann)] == [2]
    await live.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=first), metadata=as_user(bob))
    assert [n.summary for n in await listed(live, ann)] == ["cat replied to your tweet"]


async def test_a_mention_by_a_muted_user_does_not_notify(live: LiveMesh):
    ann, troll, bob = await live.register("ann"), await live.register("troll"), await live.register("bob")
    await live.client.graph.MuteUser(graph_pb.MuteUserRequest(user_id=troll), metadata=as_user(ann))
    await live.post(troll, "hey @ann")
    await live.post(bob, "hi @ann")
    assert [n.summary for n in await listed(live, ann)] == ["bob mentioned you"]


async def test_a_block_made_later_hides_what_was_already_stored(live: LiveMesh):
    ann, bob, cat = await live.register("ann"), await live.register("bob"), await live.register("cat")
    tweet = await live.post(ann, "liked by two")
    await like(live, bob, tweet)
    await like(live, cat, tweet)
    await live.post(bob, "@ann look")
    assert len(await listed(live, ann)) == 2
    await live.client.graph.BlockUser(graph_pb.BlockUserRequest(user_id=bob), metadata=as_user(ann))
    [note] = await listed(live, ann)
    assert (note.summary, note.actor_count) == ("cat liked your tweet", 1)
    assert (await live.client.unread_count(metadata=as_user(ann))).unread_count == 1


async def test_unread_count_and_marking_read_up_to_a_point(live: LiveMesh):
    ann = await live.register("ann")
    fans = [await live.register(f"fan{n}") for n in range(3)]
    for fan in fans:
        await live.follow(fan, ann)
        await live.post(fan, f"@ann from fan {fan}")
    notes = await listed(live, ann)
    assert len(notes) == 4 and (await live.client.unread_count(metadata=as_user(ann))).unread_count == 4  # the follows group
    after = await live.client.mark_read(notes[1].read_marker, metadata=as_user(ann))
    assert after.unread_count == 1
    assert [n.unread for n in await listed(live, ann)] == [True, False, False, False]
    assert (await live.client.mark_read(metadata=as_user(ann))).unread_count == 0


async def test_pages_run_newest_first_and_end_with_an_empty_token(live: LiveMesh):
    ann, bob = await live.register("ann"), await live.register("bob")
    tweets = [await live.post(ann, f"tweet {n}") for n in range(5)]
    for tweet in tweets:
        await like(live, bob, tweet)
    await live.settle()
    seen, token = [], ""
    while True:
        page = await live.client.notifications(2, token, metadata=as_user(ann))
        seen += [n.tweet_id for n in page.notifications]
        if not (token := page.next_page_token):
            break
    everything = await listed(live, ann)
    assert seen == [n.tweet_id for n in everything] and sorted(seen) == sorted(tweets)
    times = [n.update_time.ToMilliseconds() for n in everything]
    assert times == sorted(times, reverse=True)  # as the likes were handled (a queue's consumers may take them out of order)


async def test_a_marker_issued_to_someone_else_is_refused(live: LiveMesh):
    ann, bob = await live.register("ann"), await live.register("bob")
    await live.follow(bob, ann)
    [note] = await listed(live, ann)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await live.client.mark_read(note.read_marker, metadata=as_user(bob))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "read_marker" in refused.value.details()


async def test_a_deleted_account_takes_its_notifications_along(live: LiveMesh):
    ann, bob = await live.register("ann"), await live.register("bob")
    await live.follow(bob, ann)
    assert len(await listed(live, ann)) == 1
    await live.client.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=bob), metadata=as_user(bob))
    assert await listed(live, ann) == []


async def test_a_page_filtered_down_is_filled_from_the_rows_after_it(live: LiveMesh):
    ann, bob, cat = await live.register("ann"), await live.register("bob"), await live.register("cat")
    for n in range(3):
        await live.post(cat, f"@ann from cat {n}")
        await live.post(bob, f"@ann from bob {n}")
    await live.settle()
    await live.client.graph.BlockUser(graph_pb.BlockUserRequest(user_id=bob), metadata=as_user(ann))
    first = await live.client.notifications(2, metadata=as_user(ann))
    assert [n.summary for n in first.notifications] == ["cat mentioned you"] * 2 and first.next_page_token
    rest = await live.client.notifications(2, first.next_page_token, metadata=as_user(ann))
    assert [n.summary for n in rest.notifications] == ["cat mentioned you"] and not rest.next_page_token
