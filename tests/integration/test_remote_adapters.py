"""The gRPC adapters that services use to reach each other, against a real mesh over loopback."""

import asyncio

import grpc
import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp.tweet.v1 import tweet_service_pb2_grpc as tweet_grpc
from services.common.kernel.errors import InvalidArgument, Unauthenticated, Unavailable
from services.common.kernel.pagination import PageRequest
from services.common.rpc.auth import acting_for
from services.common.rpc.remote import calling, channel
from services.common.tokens.access import Identity
from services.graph.domain import HiddenAccounts
from services.graph.remote import RemoteGraph
from services.snowflake.remote import RemoteIds
from services.tweet.remote import RemoteTweets
from tests.conftest import LiveMesh, as_user
from tests.tokens import TEST_TOKENS


@pytest.fixture
async def remote(live: LiveMesh):
    ch = channel(live.target)
    yield RemoteGraph(ch, lambda: TEST_TOKENS.as_service("timeline")), RemoteTweets(ch), RemoteIds(ch)
    await ch.close()


async def test_the_remote_graph_answers_as_the_graph_does(live: LiveMesh, remote):
    graph, _, _ = remote
    star = await live.register("star")
    fans = [await live.register(f"fan{i}") for i in range(7)]
    for fan in fans:
        await live.follow(fan, star)
    pages, cursor = [], None
    while True:
        page = await graph.follower_ids(star, PageRequest(3, cursor))
        pages.append(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [len(p) for p in pages] == [3, 3, 1] and sorted(sum(pages, [])) == sorted(fans)
    assert await graph.is_celebrity(star) and not await graph.is_celebrity(fans[0])  # threshold 5 in tests
    assert await graph.celebrity_following_ids(fans[0]) == [star]
    assert await graph.following_ids(fans[0]) == [star]
    assert await graph.is_following(fans[0], star) and not await graph.is_following(star, fans[0])
    assert [u.handle for u in await graph.batch_get([fans[1], 999, star])] == ["fan1", "star"]
    assert await graph.followers_among(star, [fans[0], fans[3], star, 999]) == {fans[0], fans[3]}
    with pytest.raises(InvalidArgument):
        await graph.followers_among(star, list(range(1, 100_002)))
    side_by_side = [graph.follower_ids(star, PageRequest(3)), graph.follower_ids(fans[0], PageRequest(3)), graph.follower_ids(star, PageRequest(10))]
    assert [page.items for page in await asyncio.gather(*side_by_side)] == [pages[0], [], sum(pages, [])]  # one batch call
    among = await asyncio.gather(graph.followers_among(star, [fans[1], fans[2]]), graph.followers_among(fans[0], [star]))
    assert among == [{fans[1], fans[2]}, set()]
    with pytest.raises(Unauthenticated):
        await graph.require_account(12345)


async def test_the_remote_graph_gives_the_accounts_hidden_from_a_viewer(live: LiveMesh, remote):
    graph, _, _ = remote
    viewer, blocked, blocker, muted = [await live.register(h) for h in ("viewer", "blocked", "blocker", "muted")]
    client = live.client.graph
    await client.BlockUser(graph_pb.BlockUserRequest(user_id=blocked), metadata=as_user(viewer))
    await client.BlockUser(graph_pb.BlockUserRequest(user_id=viewer), metadata=as_user(blocker))
    await client.MuteUser(graph_pb.MuteUserRequest(user_id=muted), metadata=as_user(viewer))
    assert await graph.hidden_accounts(viewer) == HiddenAccounts(frozenset({blocked, blocker}), frozenset({muted}))
    assert await graph.hidden_accounts(muted) == HiddenAccounts()
    with pytest.raises(InvalidArgument):
        await graph.hidden_accounts(0)


async def test_only_reading_services_or_the_viewer_learn_who_is_hidden(live: LiveMesh, remote):
    graph, _, _ = remote
    viewer, blocked, stranger = [await live.register(h) for h in ("viewer", "blocked", "stranger")]
    await live.client.graph.BlockUser(graph_pb.BlockUserRequest(user_id=blocked), metadata=as_user(viewer))
    uncredentialed = graph.acting_as(tuple)
    with pytest.raises(Unavailable, match="PERMISSION_DENIED: ListHiddenIds is internal"):  # a reader without CHIRP_SERVICE_KEY
        await uncredentialed.hidden_accounts(viewer)
    for acting, allowed in ((viewer, True), (stranger, False)):  # a call served for `acting` forwards their token
        token = TEST_TOKENS.bearer(acting)
        with acting_for((Identity(acting, "", 0.0), token)):
            if allowed:
                assert await uncredentialed.hidden_accounts(viewer) == HiddenAccounts(frozenset({blocked}), frozenset())
            else:
                with pytest.raises(Unavailable, match="PERMISSION_DENIED"):
                    await uncredentialed.hidden_accounts(viewer)


async def test_remote_tweets_list_and_hydrate_past_one_batch(live: LiveMesh, remote):
    _, tweets, ids = remote
    author = await live.register("author")
    posted = [await live.post(author, f"tweet {i}") for i in range(205)]
    newest_first = posted[::-1]
    assert await tweets.recent_ids([author], None, 300) == newest_first
    assert await tweets.recent_ids([author], posted[3], 10) == newest_first[-3:]
    views = await tweets.hydrate(author, newest_first)  # more than one BatchGetTweets call
    assert [v.tweet.tweet_id for v in views] == newest_first and views[0].author.handle == "author"
    assert await ids.next_id() > posted[-1]


async def test_remote_errors_become_domain_errors(live: LiveMesh, remote):
    _, tweets, _ = remote
    with pytest.raises(InvalidArgument, match="limit"):
        await tweets.recent_ids([1], None, 0)
    unreachable = RemoteTweets(grpc.aio.insecure_channel("127.0.0.1:1"))
    with pytest.raises(Unavailable, match="tweet service"):
        await unreachable.recent_ids([1], None, 5)


async def test_a_forwarded_token_refused_further_on_stays_unauthenticated(live: LiveMesh):
    """As when a session ends and the callee's copy of the marks hears of it before the caller's: log in again, not retry."""
    opened = channel(live.target)
    try:
        with pytest.raises(Unauthenticated, match="tweet: the access token is not a JWT"), calling("tweet"):
            request = tweet_pb.GetTweetRequest(tweet_id=1)
            await tweet_grpc.TweetServiceStub(opened).GetTweet(request, metadata=[("authorization", "Bearer not-a-token")])
    finally:
        await opened.close()


async def test_remote_ids_are_leased_a_few_at_a_time_and_a_stale_lease_is_dropped(live: LiveMesh, remote, monkeypatch):
    from services.snowflake import remote as snowflake_remote

    _, _, ids = remote
    first = [await ids.next_id() for _ in range(snowflake_remote.LEASE_IDS + 3)]
    assert first == sorted(set(first))  # unique and rising, across two leases
    calls = []
    real = ids._stub.NextIds

    async def counted(*args, **kwargs):
        calls.append(1)
        return await real(*args, **kwargs)

    monkeypatch.setattr(ids._stub, "NextIds", counted)
    monkeypatch.setattr(snowflake_remote, "ID_LEASE_MS", 0)  # every lease is stale at once
    later = await ids.next_id()
    assert calls == [1] and later > first[-1]
