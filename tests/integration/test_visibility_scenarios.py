"""Blocks and mutes, end to end over gRPC: what each surface hides, on every store.

Each scenario runs over SQLite and the embedded bus with the read copies in
memory, the same with them on the Redis server (the warm home page script
among them), and on PostgreSQL, Redis and RabbitMQ.
"""

import grpc
import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.search.v1 import search_service_pb2 as search_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from tests.conftest import EVERY_STORE, LiveMesh, as_user, settings_on

pytestmark = pytest.mark.scenario


@pytest.fixture(params=EVERY_STORE)
async def settings(request, tmp_path):
    async with settings_on(request.param, tmp_path, search_commit_ms=20) as settings:
        yield settings


async def block(live: LiveMesh, actor: int, user: int) -> None:
    await live.client.graph.BlockUser(graph_pb.BlockUserRequest(user_id=user), metadata=as_user(actor))


async def mute(live: LiveMesh, actor: int, user: int) -> None:
    await live.client.graph.MuteUser(graph_pb.MuteUserRequest(user_id=user), metadata=as_user(actor))


async def retweet(live: LiveMesh, actor: int, tweet_id: int) -> int:
    response = await live.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=tweet_id), metadata=as_user(actor))
    return response.tweet.tweet_id


async def profile_ids(live: LiveMesh, viewer: int, owner: int, page_size: int = 50) -> list[int]:
    request = tweet_pb.ListUserTweetsRequest(user_id=owner, page_size=page_size)
    return [t.tweet_id for t in (await live.client.tweet.ListUserTweets(request, metadata=as_user(viewer))).tweets]


async def reply_ids(live: LiveMesh, viewer: int, tweet_id: int, page_size: int = 50) -> list[int]:
    request = tweet_pb.ListRepliesRequest(tweet_id=tweet_id, page_size=page_size)
    return [t.tweet_id for t in (await live.client.tweet.ListReplies(request, metadata=as_user(viewer))).tweets]


async def search_ids(live: LiveMesh, viewer: int | None, query: str) -> list[int]:
    request = search_pb.SearchTweetsRequest(query=query, page_size=50)
    response = await live.client.search.SearchTweets(request, metadata=as_user(viewer) if viewer else None)
    return [t.tweet_id for t in response.tweets]


async def test_a_blocked_users_tweet_already_in_your_timeline_disappears_with_retweets_of_it(live: LiveMesh):
    reader, rude, friend = [await live.register(h) for h in ("reader", "rude", "friend")]
    await live.follow(reader, rude)
    await live.follow(reader, friend)
    await live.home_ids(reader)  # a cached timeline for the pushes to reach
    said = await live.post(rude, "something rude")
    shared = await retweet(live, friend, said)
    kind = await live.post(friend, "something kind")
    await live.settle()
    shown = await live.home_ids(reader)
    assert kind in shown and (said in shown or shared in shown)
    await block(live, reader, rude)
    assert await live.home_ids(reader) == [kind]  # the next read, before any event is handled
    await live.settle()
    assert await live.home_ids(reader) == [kind]


async def test_being_blocked_hides_the_blocker_from_your_timeline_too(live: LiveMesh):
    reader, blocker = await live.register("reader"), await live.register("blocker")
    await live.follow(reader, blocker)
    said = await live.post(blocker, "before the block")
    await live.settle()
    assert await live.home_ids(reader) == [said]
    await block(live, blocker, reader)
    assert await live.home_ids(reader) == []


async def test_muting_hides_from_home_but_not_from_the_muted_users_page_replies_or_search(live: LiveMesh):
    reader, loud = await live.register("reader"), await live.register("loud")
    await live.follow(reader, loud)
    said = await live.post(loud, "loud words")
    answer = await live.post(loud, "a loud reply", reply_to=said)
    await live.settle()
    await mute(live, reader, loud)
    assert await live.home_ids(reader) == []
    assert await profile_ids(live, reader, loud) == [answer, said]
    assert await reply_ids(live, reader, said) == [answer]
    assert await search_ids(live, reader, "loud") == [answer, said]
    follows = await live.client.graph.CheckFollowing(graph_pb.CheckFollowingRequest(follower_id=reader, followee_id=loud))
    assert follows.following  # a mute keeps the follow
    await live.client.graph.UnmuteUser(graph_pb.UnmuteUserRequest(user_id=loud), metadata=as_user(reader))
    assert await live.home_ids(reader) == [answer, said]


async def test_a_block_removes_follows_both_ways_and_prevents_a_follow_either_way(live: LiveMesh):
    a, b = await live.register("ann"), await live.register("ben")
    await live.follow(a, b)
    await live.follow(b, a)
    await block(live, a, b)
    users = await live.client.graph.BatchGetUsers(graph_pb.BatchGetUsersRequest(user_ids=[a, b]))
    assert [(u.follower_count, u.following_count) for u in users.users] == [(0, 0), (0, 0)]
    for follower, followee in ((a, b), (b, a)):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await live.follow(follower, followee)
        assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "blocked" in refused.value.details()
    await block(live, a, b)  # again: a no-op
    await live.client.graph.UnblockUser(graph_pb.UnblockUserRequest(user_id=b), metadata=as_user(a))
    await live.follow(b, a)
    assert (await live.client.graph.GetUser(graph_pb.GetUserRequest(user_id=a))).user.follower_count == 1


async def test_a_profile_blocked_either_way_is_empty_for_both(live: LiveMesh):
    a, b, other = [await live.register(h) for h in ("ann", "ben", "other")]
    said = await live.post(a, "ann's words")
    await live.settle()
    await block(live, a, b)
    assert await profile_ids(live, b, a) == [] and await profile_ids(live, a, b) == []
    assert await profile_ids(live, other, a) == [said]


async def test_search_and_replies_hide_blocked_authors_both_ways(live: LiveMesh):
    author, blocker, troll, bystander = [await live.register(h) for h in ("author", "blocker", "troll", "bystander")]
    root = await live.post(author, "topic of the day")
    from_troll = await live.post(troll, "topic: a troll's reply", reply_to=root)
    from_blocker = await live.post(blocker, "topic: the blocker's reply", reply_to=root)
    shared = await retweet(live, bystander, from_troll)
    await live.settle()
    await block(live, blocker, troll)
    assert await reply_ids(live, blocker, root) == [from_blocker]
    assert await reply_ids(live, troll, root) == [from_troll]
    assert await reply_ids(live, bystander, root) == [from_blocker, from_troll]
    assert await search_ids(live, blocker, "topic") == [from_blocker, root]
    assert await search_ids(live, troll, "topic") == [from_troll, root]
    assert await search_ids(live, blocker, "topic from:troll") == []
    assert await search_ids(live, None, "topic") == [from_blocker, from_troll, root]
    assert shared not in await profile_ids(live, blocker, bystander)  # a retweet of a blocked account's tweet
    assert shared in await profile_ids(live, author, bystander)


async def test_a_page_filtered_down_comes_back_full_while_more_exist(live: LiveMesh):
    reader, muted, friend = [await live.register(h) for h in ("reader", "muted", "friend")]
    await live.follow(reader, muted)
    await live.follow(reader, friend)
    await live.home_ids(reader)
    kept = [await live.post(friend, f"kept {n}") for n in range(3)]
    noise = [await live.post(muted, f"noise {n}") for n in range(12)]
    latest = await live.post(friend, "latest")
    await live.settle()
    await mute(live, reader, muted)
    request = timeline_pb.ListHomeTimelineRequest(page_size=3)
    page = await live.client.timeline.ListHomeTimeline(request, metadata=as_user(reader))
    assert [t.tweet_id for t in page.tweets] == [latest, kept[2], kept[1]] and page.next_page_token
    request = timeline_pb.ListHomeTimelineRequest(page_size=3, page_token=page.next_page_token)
    rest = await live.client.timeline.ListHomeTimeline(request, metadata=as_user(reader))
    assert [t.tweet_id for t in rest.tweets] == [kept[0]] and not rest.next_page_token
    assert not set(noise) & {t.tweet_id for t in [*page.tweets, *rest.tweets]}


async def test_blocked_and_muted_accounts_list_latest_first_with_page_tokens(live: LiveMesh):
    me, *others = [await live.register(f"user{n}") for n in range(4)]
    for other in others:
        await block(live, me, other)
        await mute(live, me, other)
    first = await live.client.graph.ListBlockedUsers(graph_pb.ListBlockedUsersRequest(page_size=2), metadata=as_user(me))
    request = graph_pb.ListBlockedUsersRequest(page_size=2, page_token=first.next_page_token)
    second = await live.client.graph.ListBlockedUsers(request, metadata=as_user(me))
    assert [u.user_id for u in [*first.users, *second.users]] == others[::-1] and not second.next_page_token
    muted = await live.client.graph.ListMutedUsers(graph_pb.ListMutedUsersRequest(), metadata=as_user(me))
    assert [u.handle for u in muted.users] == ["user3", "user2", "user1"]
