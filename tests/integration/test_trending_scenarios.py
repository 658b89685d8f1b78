"""Trending end to end over gRPC: tweets posted through the Tweet service, counted from its events, ranked.

Each scenario runs on the embedded mesh (SQLite, in-process events, counts
in memory) and on the production backends (PostgreSQL, tweet events through
RabbitMQ into Trending's own queue, counts in Redis), with a clock the test
moves: it dates the tweets (their Snowflake ids) and the windows alike.
"""

import asyncio

import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.trending.v1 import trending_service_pb2 as trending_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from services.common.kernel.ids import wall_clock_ms
from tests.conftest import LiveMesh, as_user, make_settings, production_backends

MINUTE_MS = 60_000


class MovableClock:
    def __init__(self):
        self.ms = wall_clock_ms()

    def __call__(self) -> int:
        return self.ms

    def advance(self, minutes: float) -> None:
        self.ms += int(minutes * MINUTE_MS)


@pytest.fixture(params=["embedded", "production"])
async def settings(request, tmp_path):
    if request.param == "production":
        async with production_backends(tmp_path) as settings:
            yield settings
    else:
        yield make_settings(tmp_path)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


async def users(live: LiveMesh, prefix: str, count: int) -> list[int]:
    return [await live.register(f"{prefix}{n}") for n in range(count)]


async def trends(live: LiveMesh, window: int = 0, page_size: int = 0) -> trending_pb.ListTrendingHashtagsResponse:
    """The ranking as a client sees it, just after a refresh of every wanted window."""
    await live.settle()
    while not await live.mesh.trending.refresher.refresh():  # the background loop may hold the lease a moment
        await asyncio.sleep(0.05)
    request = trending_pb.ListTrendingHashtagsRequest(window_minutes=window, page_size=page_size)
    return await live.client.trending.ListTrendingHashtags(request)


def ranked(response) -> list[str]:
    return [h.hashtag for h in response.hashtags]


async def test_a_burst_of_a_new_tag_trends_above_a_steady_popular_one(live: LiveMesh, clock: MovableClock):
    regulars, newcomers = await users(live, "regular", 8), await users(live, "newcomer", 6)
    for _ in range(4):
        for author in regulars:
            await live.post(author, "the usual #Steady")
        await trends(live)
        clock.advance(60)
    for author in regulars:
        await live.post(author, "the usual #steady")
    for author in newcomers:
        await live.post(author, "did you see #Burst")
    response = await trends(live)
    assert ranked(response) == ["burst", "steady"]
    burst, steady = response.hashtags
    assert (burst.score, burst.unique_authors, burst.baseline_authors, burst.tweet_count) == (25.0, 6, 0, 6)
    assert steady.unique_authors == steady.baseline_authors == 8 and steady.score < burst.score
    assert response.refresh_time.ToMilliseconds() == clock.ms and response.window_minutes == 60


async def test_one_authors_spam_does_not_trend(live: LiveMesh):
    spammer, = await users(live, "spammer", 1)
    for n in range(12):
        await live.post(spammer, f"buy now #deal {n}")
    assert ranked(await trends(live)) == []


async def test_deleted_tweets_stop_counting_by_the_next_refresh(live: LiveMesh):
    authors = await users(live, "author", 6)
    posted = [await live.post(author, "#fleeting") for author in authors]
    assert [h.unique_authors for h in (await trends(live)).hashtags] == [6]
    for tweet_id, author in list(zip(posted, authors))[:2]:
        await live.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=tweet_id), metadata=as_user(author))
    assert ranked(await trends(live)) == []  # four authors left: under the minimum of five


async def test_a_deleted_account_stops_counting(live: LiveMesh):
    authors = await users(live, "author", 6)
    for author in authors:
        await live.post(author, "#together")
    assert [h.unique_authors for h in (await trends(live)).hashtags] == [6]
    await live.client.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=authors[0]), metadata=as_user(authors[0]))
    assert [h.unique_authors for h in (await trends(live)).hashtags] == [5]


async def test_the_window_slides(live: LiveMesh, clock: MovableClock):
    authors = await users(live, "author", 5)
    for author in authors:
        await live.post(author, "#now")
    assert ranked(await trends(live, window=10)) == ["now"]
    clock.advance(11)
    assert ranked(await trends(live, window=10)) == []
    assert ranked(await trends(live)) == ["now"]  # still inside the default hour


async def test_pages_and_tokens_walk_the_ranking(live: LiveMesh):
    authors = await users(live, "author", 7)
    for n, tag in enumerate(["alpha", "beta", "gamma"]):
        for author in authors[: 5 + n]:
            await live.post(author, f"#{tag}")
    await trends(live)
    first = await live.client.trending.ListTrendingHashtags(trending_pb.ListTrendingHashtagsRequest(page_size=2))
    assert ranked(first) == ["gamma", "beta"] and first.next_page_token
    request = trending_pb.ListTrendingHashtagsRequest(page_size=2, page_token=first.next_page_token)
    last = await live.client.trending.ListTrendingHashtags(request)
    assert ranked(last) == ["alpha"] and last.next_page_token == ""
