"""The Timeline service's read model, in process memory and on a real Redis server: one contract suite
for both, on what a warm read serves and what each notice changes.

The owning services behind it are stand-ins that count their calls: what is
tested is the copy kept, so the counts say when a read reached them.
"""

from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from services.common.kernel.errors import Unauthenticated
from services.timeline.adapters.memory_cache import InMemoryTimelineCache
from services.timeline.adapters.memory_read_model import MemoryCopies
from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_layout import posts_key
from services.timeline.adapters.redis_notices import RedisReadNotices
from services.timeline.adapters.redis_read_model import RedisCopies
from services.timeline.domain import VIEWER_LIKED, Card
from services.timeline.read_model import POSTS_KEPT, CachedReaders, CachedTweets
from tests.integration.read_model_doubles import Graph, Tweets
from tests.integration.servers import REDIS_URL


@dataclass
class Model:
    copies: object
    posts: object
    notices: object


@pytest.fixture(params=["memory", "redis"])
async def model(request):
    if request.param == "memory":
        posts = InMemoryTimelineCache(POSTS_KEPT)
        copies = MemoryCopies(posts)
        yield Model(copies, posts, copies)
        return
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    posts = RedisTimelineCache(client, POSTS_KEPT, 600, key=posts_key)
    yield Model(RedisCopies(client), posts, RedisReadNotices(client, posts))
    await client.aclose()


@pytest.fixture
def tweets():
    return Tweets()


@pytest.fixture
def cached(tweets, model):
    return CachedTweets(tweets, model.copies, model.posts)


@pytest.fixture
def notices(model):
    return model.notices


def shown(cards: list[Card]) -> list[tuple[int, int, bool]]:
    return [(c.tweet_id, tweet_pb.Tweet.FromString(c.shown).like_count, bool(c.viewer & VIEWER_LIKED)) for c in cards]


async def test_a_warm_read_asks_the_tweet_service_nothing_and_shows_each_viewer_their_own_state(tweets, cached):
    a, b = tweets.post(7, 101), tweets.post(7, 102)
    tweets.likes.add((1, a))
    assert shown(await cached.hydrate(1, [b, a])) == [(b, 0, False), (a, 1, True)]
    tweets.hydrated.clear()
    assert shown(await cached.hydrate(1, [b, a])) == [(b, 0, False), (a, 1, True)]
    assert tweets.hydrated == []
    assert shown(await cached.hydrate(2, [a])) == [(a, 1, False)]  # another viewer: the card is kept, not the state
    assert tweets.hydrated == [a]


async def test_a_like_shows_in_the_likers_next_read(tweets, cached, notices):
    a = tweets.post(7, 101)
    await cached.hydrate(1, [a])
    tweets.likes.add((1, a))
    await notices.counts_changed([a])
    await notices.viewer_changed(1)
    assert shown(await cached.hydrate(1, [a])) == [(a, 1, True)]


async def test_a_deleted_tweet_stays_hidden_even_when_a_read_in_flight_writes_back_its_card(tweets, cached, notices):
    a = tweets.post(7, 101)

    async def deleted_meanwhile():
        tweets.deleted.add(a)
        await notices.deleted([a])

    tweets.before_return = deleted_meanwhile
    assert [c.tweet_id for c in await cached.hydrate(1, [a])] == [a]  # read before the delete committed
    tweets.before_return = None
    assert await cached.hydrate(1, [a]) == []
    assert await cached.hydrate(None, [a]) == []


async def test_a_deleted_account_is_hidden_at_once_though_its_cards_are_kept(tweets, cached, notices):
    mine, theirs = tweets.post(7, 101), tweets.post(8, 102)
    await cached.hydrate(1, [mine, theirs])
    await notices.account_deleted(8)
    assert [c.tweet_id for c in await cached.hydrate(1, [mine, theirs])] == [mine]


async def test_recent_ids_are_built_once_then_kept_current_by_posts(tweets, cached, notices):
    for n in range(3):
        tweets.post(7, 100 + n)
    assert await cached.recent_ids([7, 9], None, 10) == [102, 101, 100]
    calls = len(tweets.recent_calls)
    await notices.posted(7, tweets.post(7, 103))
    assert await cached.recent_ids([7, 9], None, 10) == [103, 102, 101, 100]
    assert await cached.recent_ids([7], 102, 1) == [101]
    assert len(tweets.recent_calls) == calls  # no storage read once built


async def test_a_page_below_what_an_author_keeps_is_read_from_storage(tweets, cached):
    for n in range(POSTS_KEPT + 20):
        tweets.post(7, 1000 + n)
    assert await cached.recent_ids([7], None, 5) == [1119, 1118, 1117, 1116, 1115]
    tweets.recent_calls.clear()
    assert await cached.recent_ids([7], 1025, 10) == list(range(1024, 1014, -1))
    assert tweets.recent_calls == [[7]]


async def test_a_readers_celebrities_are_kept_until_their_follows_change(model, notices):
    graph = Graph()
    readers = CachedReaders(graph, model.copies)
    graph.accounts.add(1)
    assert await readers.celebrities_followed_by(1) == []
    graph.celebrities[1] = [50]
    assert await readers.celebrities_followed_by(1) == []  # kept
    await notices.follows_changed(1)
    assert await readers.celebrities_followed_by(1) == [50]
    with pytest.raises(Unauthenticated):
        await readers.celebrities_followed_by(2)
    graph.accounts.add(2)
    assert await readers.celebrities_followed_by(2) == []  # a refusal is not kept
    await notices.account_deleted(1)
    graph.accounts.discard(1)
    with pytest.raises(Unauthenticated):
        await readers.celebrities_followed_by(1)


async def test_a_count_change_never_drops_a_tombstone(tweets, cached, notices):
    a = tweets.post(7, 101)
    await notices.deleted([a])  # the delete committed; the stand-in still answers with the tweet, as a read in flight would
    await notices.counts_changed([a])  # e.g. a reply to it deleted afterwards
    assert await cached.hydrate(1, [a]) == []


async def test_a_retweet_of_a_deleted_tweet_is_hidden_though_its_own_card_is_kept(tweets, cached, notices):
    original = tweets.post(7, 101)
    retweet = tweets.retweet(8, 102, original)
    assert [c.tweet_id for c in await cached.hydrate(1, [retweet])] == [retweet]
    await notices.deleted([original])
    assert await cached.hydrate(1, [retweet]) == []
