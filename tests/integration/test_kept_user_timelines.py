"""User timelines served from the read model's copies show what storage shows, and know who exists.

Each test runs on the read model in process memory (SQLite, embedded bus),
in Redis (SQLite, embedded bus) and on the production backends (PostgreSQL,
Redis, RabbitMQ). The walk compares the kept way with the stored way through
the Tweet service itself; the rest go through a real gRPC server.
"""

import grpc
import pytest
from redis.asyncio import Redis

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from services.common.kernel.errors import NotFound
from services.common.kernel.pagination import PageRequest
from services.common.storage.redis_multiplexed import MultiplexedRedis
from services.mesh.bridges import CardsFromTweets, PagesFromCards
from services.timeline.adapters.redis_author_pages import RedisAuthorPages
from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_layout import card_key, posts_key
from services.timeline.adapters.redis_read_model import RedisCopies
from services.timeline.messages import shown_to_viewer
from services.timeline.read_model import POSTS_KEPT, CachedTweets
from services.tweet.messages import tweet_message
from tests.conftest import EVERY_STORE, LiveMesh, as_user, settings_on
from tests.integration.servers import REDIS_URL, free_port


@pytest.fixture(params=EVERY_STORE)
async def settings(request, tmp_path):
    async with settings_on(request.param, tmp_path) as settings:
        yield settings


async def walk(pages, viewer: int | None, author: int, size: int) -> list[tweet_pb.Tweet]:
    """Every page of the author's timeline, in order, as messages."""
    shown, cursor = [], None
    while True:
        page = await pages(viewer, author, PageRequest(size, cursor))
        shown += page.items
        if page.next_cursor is None:
            return shown
        cursor = page.next_cursor


async def kept_walk(live: LiveMesh, viewer: int | None, author: int, size: int) -> list[tweet_pb.Tweet]:
    return [tweet_pb.Tweet.FromString(s.encoded) for s in await walk(live.mesh.tweets.kept_user_tweets, viewer, author, size)]


async def stored_walk(live: LiveMesh, viewer: int | None, author: int, size: int) -> list[tweet_pb.Tweet]:
    return [tweet_message(view) for view in await walk(live.mesh.tweets.user_tweets, viewer, author, size)]


async def test_kept_pages_show_what_storage_shows_to_each_viewer(live: LiveMesh):
    alice, bob, carol = [await live.register(name) for name in ("alice", "bob", "carol")]
    own = [await live.post(alice, f"alice {n}") for n in range(7)]
    kept_original, gone_original = await live.post(bob, "keep me"), await live.post(bob, "delete me")
    for original in (kept_original, gone_original):
        await live.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=original), metadata=as_user(alice))
    await live.post(alice, "a reply", reply_to=kept_original)
    await live.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=own[2]), metadata=as_user(carol))
    await live.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=own[4]), metadata=as_user(alice))
    await live.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=gone_original), metadata=as_user(bob))
    await live.settle()
    for viewer in (None, carol, alice):
        stored = await stored_walk(live, viewer, alice, 3)
        assert len(stored) == 8  # 6 of the 7 own, a retweet, a reply; not the retweet of a deleted tweet
        for _ in range(2):  # the first walk fills the copies, the second reads them
            assert await kept_walk(live, viewer, alice, 3) == stored
    liked = next(t for t in await kept_walk(live, carol, alice, 20) if t.tweet_id == own[2])
    assert liked.viewer_liked and liked.like_count == 1


async def test_a_write_shows_in_the_next_kept_read(live: LiveMesh):
    alice, carol = await live.register("alice"), await live.register("carol")
    first = await live.post(alice, "first")
    assert [t.tweet_id for t in await kept_walk(live, carol, alice, 20)] == [first]
    second = await live.post(alice, "second")
    await live.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=first), metadata=as_user(carol))
    shown = await kept_walk(live, carol, alice, 20)
    assert [t.tweet_id for t in shown] == [second, first]
    assert shown[1].viewer_liked and shown[1].like_count == 1
    await live.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=second), metadata=as_user(alice))
    assert [t.tweet_id for t in await kept_walk(live, carol, alice, 20)] == [first]


async def test_an_unknown_user_is_not_found_and_nothing_is_kept_for_them(live: LiveMesh):
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await live.client.tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=987654321))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(NotFound):
        await live.mesh.tweets.kept_user_tweets(None, 987654321, PageRequest(20, None))
    if live.mesh.settings.redis_url:
        redis = Redis.from_url(REDIS_URL)
        try:
            assert not await redis.exists(posts_key(987654321))
        finally:
            await redis.aclose()


async def test_a_deleted_account_is_not_found_on_the_kept_way(live: LiveMesh):
    alice = await live.register("alice")
    await live.post(alice, "soon gone")
    await kept_walk(live, None, alice, 20)  # kept now
    await live.client.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=alice), metadata=as_user(alice))
    for settled in (False, True):
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await live.client.tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=alice))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
        if not settled:
            await live.settle()


@pytest.mark.parametrize("settings", ["redis", "production"], indirect=True)  # the copies in memory have no script
async def test_a_warm_author_page_comes_whole_from_one_script_and_misses_when_a_card_is_not_kept(live: LiveMesh):
    alice, carol = await live.register("alice"), await live.register("carol")
    posted = [await live.post(alice, f"alice {n}") for n in range(5)]
    await live.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=posted[1]), metadata=as_user(carol))
    stored = await stored_walk(live, carol, alice, 2)
    await kept_walk(live, carol, alice, 2)  # keeps the list, the cards and carol's states
    script, redis = RedisAuthorPages(MultiplexedRedis(REDIS_URL)), Redis.from_url(REDIS_URL)
    try:
        scripted = [tweet_pb.Tweet.FromString(shown_to_viewer(card)) for card in await walk(script.page, carol, alice, 2)]
        assert scripted == stored
        await redis.delete(card_key(posted[1]))
        assert await script.page(carol, alice, PageRequest(5, None)) is None
        assert await script.page(carol, 987654321, PageRequest(5, None)) is None  # no list kept
    finally:
        await redis.aclose()


@pytest.mark.parametrize("settings", ["redis", "production"], indirect=True)
async def test_copies_that_do_not_answer_leave_user_timelines_to_storage(live: LiveMesh):
    alice = await live.register("alice")
    posted = [await live.post(alice, f"alice {n}") for n in range(3)]
    address = f"redis://127.0.0.1:{free_port()}/0"
    gone = Redis.from_url(address, socket_connect_timeout=0.5)
    cards = CachedTweets(CardsFromTweets(live.mesh.tweets), RedisCopies(gone), RedisTimelineCache(gone, POSTS_KEPT, 600, key=posts_key))
    live.mesh.tweets.kept = PagesFromCards(cards, RedisAuthorPages(MultiplexedRedis(address)))
    try:
        page = await live.client.tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=alice))
        assert [t.tweet_id for t in page.tweets] == posted[::-1]
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await live.client.tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=987654321))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        await gone.aclose()
