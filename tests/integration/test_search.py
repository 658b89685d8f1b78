"""Search over real gRPC on the embedded defaults: the query language, pages, deletes, restarts and rebuilds."""

import asyncio
import shutil
import time

import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.search.v1 import search_service_pb2 as search_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from services.common.rpc.server import create_server
from services.mesh.bootstrap import bootstrap
from tests.conftest import LiveMesh, as_user, make_settings, production_backends

pytestmark = pytest.mark.scenario


@pytest.fixture(params=["embedded", "production"])
async def settings(request, tmp_path):
    """On the embedded defaults (SQLite, the outbox drained in process, hydration from the Tweet service), and on
    PostgreSQL, Redis and RabbitMQ (the search queue, hydration through Timeline's read model)."""
    if request.param == "production":
        async with production_backends(tmp_path, search_commit_ms=20) as settings:
            yield settings
    else:
        yield make_settings(tmp_path, search_commit_ms=20)


async def search(live: LiveMesh, query: str, page_size: int = 50, token: str = "", order=search_pb.SEARCH_ORDER_RECENCY):
    request = search_pb.SearchTweetsRequest(query=query, page_size=page_size, page_token=token, order=order)
    return await live.client.search.SearchTweets(request)


async def ids(live: LiveMesh, query: str, **options) -> list[int]:
    return [t.tweet_id for t in (await search(live, query, **options)).tweets]


async def status(live: LiveMesh) -> search_pb.GetSearchStatusResponse:
    return await live.client.search.GetSearchStatus(search_pb.GetSearchStatusRequest())


async def delete_tweet(live: LiveMesh, author: int, tweet_id: int) -> None:
    await live.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=tweet_id), metadata=as_user(author))


async def test_the_query_language_finds_what_it_says(live: LiveMesh):
    alice, bob = await live.register("alice"), await live.register("Bob_B")
    running = await live.post(alice, "I was running home in the rain")
    runs = await live.post(bob, "She runs every morning #Fitness")
    fox = await live.post(alice, "the quick brown fox jumps, hi @bob_b")
    reversed_fox = await live.post(bob, "brown quick fox")
    retweet = await live.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=fox), metadata=as_user(bob))
    await live.settle()
    assert await ids(live, "run") == [runs, running]  # stemmed: runs, running
    assert await ids(live, "RUNNING") == [runs, running]
    assert await ids(live, '"quick brown"') == [fox]
    assert await ids(live, "quick brown") == [reversed_fox, fox]
    assert await ids(live, "#fitness") == await ids(live, "#FITNESS") == [runs]
    assert await ids(live, "@BOB_B") == [fox]
    assert await ids(live, "fox from:bob_b") == await ids(live, "fox from:@Bob_B") == [reversed_fox]
    assert await ids(live, "fox -jumps") == [reversed_fox]
    assert await ids(live, 'fox -"quick brown"') == [reversed_fox]
    assert await ids(live, "from:nobody") == []
    assert await ids(live, "!!!") == []
    assert retweet.tweet.tweet_id not in await ids(live, "fox")  # a retweet carries no text of its own
    found = (await search(live, "rain")).tweets[0]
    assert found.author.handle == "alice" and found.text == "I was running home in the rain"


async def test_date_bounds_and_relevance_order(live: LiveMesh):
    alice = await live.register("alice")
    once = await live.post(alice, "chirp")
    often = await live.post(alice, "chirp chirp chirp, all about chirp")
    await live.settle()
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert await ids(live, f"chirp since:{today}") == [often, once]
    assert await ids(live, "chirp until:2021-01-01") == []
    assert await ids(live, "since:2021-01-01 until:2999-01-01") == [often, once]
    assert await ids(live, "chirp", order=search_pb.SEARCH_ORDER_RELEVANCE) == [often, once]


async def test_pages_are_stable_while_new_tweets_arrive(live: LiveMesh):
    alice = await live.register("alice")
    first = [await live.post(alice, f"stable page test {i}") for i in range(23)]
    await live.settle()
    seen, token = [], ""

    async def keep_posting() -> None:
        for n in range(12):
            await live.post(alice, f"stable but newer {n}")
            await asyncio.sleep(0.01)

    posting = None
    for _ in range(10):
        page = await search(live, "stable", page_size=5, token=token)
        seen += [t.tweet_id for t in page.tweets]
        posting = posting or asyncio.create_task(keep_posting())  # newer matches are indexed while the next pages are read
        await asyncio.sleep(0.03)
        if not (token := page.next_page_token):
            break
    await posting
    assert seen == sorted(first, reverse=True)
    await live.settle()
    assert len(await ids(live, "newer")) == 12
    relevance, token = [], ""
    while True:
        page = await search(live, "test", page_size=6, token=token, order=search_pb.SEARCH_ORDER_RELEVANCE)
        relevance += [t.tweet_id for t in page.tweets]
        if not (token := page.next_page_token):
            break
    assert sorted(relevance) == sorted(first)


async def test_deleted_tweets_and_accounts_vanish_at_once_and_pages_stay_full(live: LiveMesh):
    alice, bob = await live.register("alice"), await live.register("bob")
    posted = [await live.post(alice, f"vanishing act {i}") for i in range(10)]
    bobs = await live.post(bob, "vanishing act by bob")
    await live.settle()
    for tweet_id in posted[3:7]:
        await delete_tweet(live, alice, tweet_id)
    page = await search(live, "vanishing", page_size=5)  # before the index hears of it: hydration hides them
    kept = [bobs, *reversed(posted[7:]), *reversed(posted[:3])]
    assert [t.tweet_id for t in page.tweets] == kept[:5] and page.next_page_token
    rest = await search(live, "vanishing", page_size=5, token=page.next_page_token)
    assert [t.tweet_id for t in rest.tweets] == kept[5:]
    await live.client.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=bob), metadata=as_user(bob))
    assert bobs not in await ids(live, "vanishing")
    await live.settle()
    assert (await status(live)).indexed_tweets == 11 - 4 - 1  # purged from the index too, once their events are in
    assert await ids(live, "vanishing") == kept[1:]


async def start_again(settings) -> LiveMesh:
    mesh = await bootstrap(settings)
    server = await create_server(settings.listen, mesh.registrations(), mesh.authenticator)
    await mesh.start()
    from chirp_client import AsyncChirpClient

    return LiveMesh(mesh, server, AsyncChirpClient(f"127.0.0.1:{server.port}"))


async def stop(live: LiveMesh) -> None:
    await live.client.close()
    await live.server.stop(0)
    await live.mesh.close()


async def wait_ready(live: LiveMesh, timeout: float = 20.0) -> search_pb.GetSearchStatusResponse:
    deadline = time.monotonic() + timeout
    while (reported := await status(live)).state != search_pb.SEARCH_INDEX_STATE_READY:
        assert time.monotonic() < deadline, f"the index did not catch up: {reported}"
        await asyncio.sleep(0.05)
    return reported


async def test_a_restart_resumes_without_a_rebuild_and_a_lost_index_is_rebuilt(settings):
    live = await start_again(settings)
    try:
        alice = await live.register("alice")
        posted = [await live.post(alice, f"durable words {i}") for i in range(30)]
        await live.settle()
        assert (await wait_ready(live)).rebuild_scanned == 0  # a fresh mesh rebuilds from an empty store
    finally:
        await stop(live)
    live = await start_again(settings)
    try:
        reported = await status(live)
        assert reported.state == search_pb.SEARCH_INDEX_STATE_READY and reported.rebuild_scanned == 0
        assert await ids(live, "durable") == posted[::-1]
        later = await live.post(alice, "durable after the restart")
        await live.settle()
        assert await ids(live, "durable", page_size=1) == [later]
    finally:
        await stop(live)
    index_dir = settings.search_index_path
    shutil.rmtree(index_dir)
    index_dir.mkdir()
    (index_dir / "meta.json").write_text("{ this is not an index")  # damaged: started afresh and rebuilt
    live = await start_again(settings)
    try:
        reported = await wait_ready(live)
        assert reported.rebuild_scanned == 31 and reported.indexed_tweets == 31
        assert await ids(live, "durable", page_size=100) == [later, *posted[::-1]]
    finally:
        await stop(live)
