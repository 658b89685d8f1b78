"""The storage contract: one suite, run against every system of record.

On SQLite (the embedded mesh: one file, one outbox for both services), on
PostgreSQL (a fresh database per test, with a schema and an outbox for
each service), and on PostgreSQL read through the Redis row caches. The tests go through the ports only, so what they check is
behaviour, including under concurrent writes; unreachable PostgreSQL fails.
"""

import asyncio
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

import pytest
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from redis.asyncio import Redis

from services.common.kernel.errors import AlreadyExists
from services.common.kernel.events import CelebrityChanged, TweetCreated, TweetDeleted, TweetLiked, TweetUnliked, UserDeleted, UserFollowed, UserUnfollowed
from services.common.kernel.ids import compose, created_at
from services.common.kernel.pagination import PageRequest
from services.common.messaging import codec as event_codec
from services.common.messaging.outbox.consumer import OutboxConsumer
from services.common.messaging.outbox.postgres_store import PostgresOutbox
from services.common.messaging.outbox.sqlite_store import SCHEMA as OUTBOX_SCHEMA
from services.common.messaging.outbox.sqlite_store import SqliteOutbox
from services.common.messaging.retry import RetryPolicy
from services.common.storage.postgres import PostgresDatabase
from services.common.storage.row_cache import RowCache
from services.common.storage.sqlite import Database
from services.graph.adapters import cached_repository as cached_graph
from services.graph.adapters.cached_repository import CachedGraphRepository
from services.graph.adapters.postgres_migrations import MIGRATIONS as GRAPH_MIGRATIONS
from services.graph.adapters.postgres_repository import PostgresGraphRepository
from services.graph.adapters.sqlite_repository import SqliteGraphRepository
from services.graph.adapters.sqlite_schema import SCHEMA as GRAPH_SCHEMA
from services.graph.domain import CelebrityLine, User
from services.tweet.adapters import cached_repository as cached_tweets
from services.tweet.adapters.cached_repository import CachedTweetRepository
from services.tweet.adapters.postgres_migrations import MIGRATIONS as TWEET_MIGRATIONS
from services.tweet.adapters.postgres_repository import PostgresTweetRepository
from services.tweet.adapters.sqlite_repository import SqliteTweetRepository
from services.tweet.adapters.sqlite_schema import SCHEMA as TWEET_SCHEMA
from services.tweet.domain import Tweet
from tests.integration.servers import REDIS_URL, flush_test_redis

TRACE = SpanContext(trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736, span_id=0x00F067AA0BA902B7, is_remote=False,
                    trace_flags=TraceFlags(TraceFlags.SAMPLED))  # fmt: skip
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

CELEBRITIES = CelebrityLine(3)


@dataclass
class Stores:
    graph: SqliteGraphRepository | PostgresGraphRepository
    tweets: SqliteTweetRepository | PostgresTweetRepository
    graph_outbox: SqliteOutbox | PostgresOutbox
    tweet_outbox: SqliteOutbox | PostgresOutbox
    graph_db: Database | PostgresDatabase  # where graph_outbox lives
    databases: list = field(default_factory=list)

    async def close(self) -> None:
        while self.databases:
            await self.databases.pop().close()


async def open_sqlite(path) -> Stores:
    db = await Database.open(path)
    try:
        await db.apply_schema(OUTBOX_SCHEMA + GRAPH_SCHEMA + TWEET_SCHEMA)
    except BaseException:
        await db.close()
        raise
    outbox = SqliteOutbox(db)
    return Stores(SqliteGraphRepository(db, outbox, CELEBRITIES), SqliteTweetRepository(db, outbox), outbox, outbox, db, [db])


async def open_postgres(dsn: str) -> Stores:
    graph_db = await PostgresDatabase.open(dsn, "graph", GRAPH_MIGRATIONS)
    tweet_db = await PostgresDatabase.open(dsn, "tweet", TWEET_MIGRATIONS)
    graph_outbox, tweet_outbox = PostgresOutbox(graph_db), PostgresOutbox(tweet_db)
    graph, tweets = PostgresGraphRepository(graph_db, graph_outbox, CELEBRITIES), PostgresTweetRepository(tweet_db, tweet_outbox)
    return Stores(graph, tweets, graph_outbox, tweet_outbox, graph_db, [graph_db, tweet_db])


async def open_postgres_cached(dsn: str) -> Stores:
    stores = await open_postgres(dsn)
    redis = Redis.from_url(REDIS_URL)
    stores.databases.insert(0, SimpleNamespace(close=redis.aclose))
    stores.graph = CachedGraphRepository(stores.graph, RowCache(redis, "user", cached_graph.encode, cached_graph.decode, 60))
    stores.tweets = CachedTweetRepository(stores.tweets, RowCache(redis, "tweet", cached_tweets.encode, cached_tweets.decode, 60))
    return stores


@pytest.fixture(params=["sqlite", "postgres", "postgres+cache"])
def location(request, tmp_path):
    if request.param == "sqlite":
        return open_sqlite, tmp_path / "chirp.db"
    opener = open_postgres_cached if request.param == "postgres+cache" else open_postgres
    return opener, request.getfixturevalue("postgres_dsn")


@pytest.fixture
async def opener(location):
    """Opens the stores at the test's location, as a process starting would; closes them all at the end."""
    open_stores, where = location
    opened: list[Stores] = []
    if open_stores is open_postgres_cached:
        await flush_test_redis()  # the suite's ids repeat from test to test

    async def open_again() -> Stores:
        opened.append(await open_stores(where))
        return opened[-1]

    yield open_again
    for stores in opened:
        await stores.close()


@pytest.fixture
async def stores(opener) -> Stores:
    return await opener()


def sid(n: int) -> int:
    """The n-th Snowflake id of this suite: ids sort as n does."""
    return compose(1_700_000_000_000 + n, 1, 0)


def user(n: int, handle: str | None = None) -> User:
    return User(sid(n), handle or f"user{n}", f"User {n}", created_at(sid(n)))


def tweet(n: int, author: int, text: str = "hello", reply_to: int = 0, retweet_of: int = 0) -> Tweet:
    return Tweet(sid(n), author, text, reply_to, retweet_of)


async def register(stores: Stores, *numbers: int) -> list[int]:
    for n in numbers:
        await stores.graph.add_user(user(n))
    return [sid(n) for n in numbers]


async def counts(stores: Stores, user_id: int) -> tuple[int, int]:
    """(followers, following) of a user."""
    found = await stores.graph.get(user_id)
    return found.follower_count, found.following_count


async def stored(stores: Stores, tweet_id: int) -> Tweet:
    return (await stores.tweets.get_many([tweet_id]))[tweet_id]


async def events_in(outbox, kind: type | None = None) -> list:
    events = [event_codec.decode(e.payload) for e in await outbox.pending(0, 10_000)]
    return [e for e in events if kind is None or isinstance(e, kind)]


async def publish(stores: Stores, events: list) -> None:
    await stores.graph_outbox.write(lambda tx: stores.graph_outbox.append(tx, events))


async def every_page(list_page, size: int) -> list[list]:
    pages, cursor = [], None
    while True:
        page = await list_page(PageRequest(size, cursor))
        pages.append(page.items)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


# The graph


async def test_a_user_reads_back_by_id_and_by_handle_in_any_letter_case(stores):
    ada = user(1, "Ada_L")
    await stores.graph.add_user(ada)
    assert await stores.graph.get(ada.user_id) == ada
    assert await stores.graph.get_by_handle("ada_l") == ada
    assert await stores.graph.get_by_handle("ADA_L") == ada
    assert await stores.graph.get(sid(2)) is None
    assert await stores.graph.get_by_handle("nobody") is None


async def test_a_handle_taken_in_another_letter_case_is_already_exists(stores):
    await stores.graph.add_user(user(1, "ada"))
    with pytest.raises(AlreadyExists) as raised:
        await stores.graph.add_user(user(2, "ADA"))
    assert raised.value.message == "the handle 'ADA' is taken; choose another"
    assert raised.value.field == "handle"
    assert await stores.graph.get(sid(2)) is None
    assert (await stores.graph.get_by_handle("Ada")).user_id == sid(1)


async def test_a_taken_user_id_is_not_reported_as_a_taken_handle(stores):
    await stores.graph.add_user(user(1, "ada"))
    with pytest.raises(Exception) as raised:
        await stores.graph.add_user(user(1, "bob"))
    assert not isinstance(raised.value, AlreadyExists)
    assert await stores.graph.get_by_handle("bob") is None


async def test_get_many_keeps_the_order_asked_and_leaves_out_unknown_and_impossible_ids(stores):
    a, b, c = await register(stores, 1, 2, 3)
    found = await stores.graph.get_many([c, 0, a, sid(9), -5, 2**64 - 1, c, b])
    assert [u.user_id for u in found] == [c, a, b]
    assert await stores.graph.get_many([]) == []


async def test_follow_and_unfollow_are_idempotent_keep_counts_and_record_events_once(stores):
    a, b = await register(stores, 1, 2)
    assert await stores.graph.follow(a, b, [UserFollowed(a, b)]) is True
    assert await stores.graph.follow(a, b, [UserFollowed(a, b)]) is False
    assert await stores.graph.is_following(a, b) and not await stores.graph.is_following(b, a)
    assert (await counts(stores, a), await counts(stores, b)) == ((0, 1), (1, 0))
    assert await stores.graph.unfollow(a, b, [UserUnfollowed(a, b)]) is True
    assert await stores.graph.unfollow(a, b, [UserUnfollowed(a, b)]) is False
    assert not await stores.graph.is_following(a, b)
    assert (await counts(stores, a), await counts(stores, b)) == ((0, 0), (0, 0))
    assert await events_in(stores.graph_outbox) == [UserFollowed(a, b), UserUnfollowed(a, b)]


async def test_following_a_user_who_does_not_exist_changes_nothing(stores):
    (a,) = await register(stores, 1)
    ghost = sid(9)
    assert await stores.graph.follow(a, ghost, [UserFollowed(a, ghost)]) is False
    assert await stores.graph.follow(ghost, a, [UserFollowed(ghost, a)]) is False
    assert not await stores.graph.is_following(a, ghost)
    assert await counts(stores, a) == (0, 0)
    assert await events_in(stores.graph_outbox) == []


async def test_a_write_wakes_the_outbox_listeners(stores):
    a, b = await register(stores, 1, 2)
    listener = stores.graph_outbox.listen()
    assert not listener.is_set()
    await stores.graph.follow(a, b, [UserFollowed(a, b)])
    assert listener.is_set()


async def test_follower_ids_come_in_follow_order_page_by_page(stores):
    star, *fans = await register(stores, 1, 2, 3, 4, 5, 6)
    for fan in reversed(fans):
        await stores.graph.follow(fan, star, [])
    pages = await every_page(lambda page: stores.graph.follower_ids(star, page), 2)
    assert pages == [[fans[4], fans[3]], [fans[2], fans[1]], [fans[0]]]


async def test_follower_id_pages_answer_each_request_as_follower_ids_does_in_one_call(stores):
    star, idol, *fans = await register(stores, 1, 2, 3, 4, 5, 6, 7)
    for fan in fans:
        await stores.graph.follow(fan, star, [])
    await stores.graph.follow(fans[0], idol, [])
    first = await stores.graph.follower_ids(star, PageRequest(2))
    requests = [(star, PageRequest(2)), (idol, PageRequest(10)), (star, PageRequest(2, first.next_cursor)), (99, PageRequest(5)), (star, PageRequest(10))]
    pages = await stores.graph.follower_id_pages(requests)
    assert pages == [await stores.graph.follower_ids(user_id, page) for user_id, page in requests]
    assert [p.items for p in pages] == [fans[:2], [fans[0]], fans[2:4], [], fans] and pages[4].next_cursor is None
    assert await stores.graph.follower_id_pages([]) == []


async def test_followers_among_each_answers_every_question_in_one_call(stores):
    star, idol, *fans = await register(stores, 1, 2, 3, 4, 5)
    await stores.graph.follow(fans[0], star, [])
    await stores.graph.follow(fans[1], star, [])
    await stores.graph.follow(fans[1], idol, [])
    questions = [(star, [fans[0], fans[2], 2**64 - 1, 0, fans[0]]), (idol, [fans[0], fans[1]]), (star, []), (99, [fans[0]]), (star, fans)]
    assert await stores.graph.followers_among_each(questions) == [{fans[0]}, {fans[1]}, set(), set(), {fans[0], fans[1]}]
    assert await stores.graph.followers_among_each([]) == []


async def test_followers_and_following_list_users_newest_edge_first(stores):
    star, a, b, c = await register(stores, 1, 2, 3, 4)
    for fan in (a, b, c):
        await stores.graph.follow(fan, star, [])
    await stores.graph.follow(star, c, [])
    await stores.graph.follow(star, a, [])
    pages = await every_page(lambda page: stores.graph.followers(star, page), 2)
    assert [[u.user_id for u in page] for page in pages] == [[c, b], [a]]
    following = await stores.graph.following(star, PageRequest(10))
    assert [(u.user_id, u.follower_count) for u in following.items] == [(a, 1), (c, 1)]
    assert following.next_cursor is None


async def test_a_count_crossing_the_celebrity_line_moves_the_user_with_its_event(stores):
    """Threshold 3 here: a celebrity at 3 followers, and no longer one below 2."""
    reader, popular, modest, fan1, fan2 = await register(stores, 1, 2, 3, 4, 5)
    for follower, followee in [(reader, popular), (reader, modest), (fan1, popular)]:
        await stores.graph.follow(follower, followee, [])
    assert await stores.graph.following_ids(reader, celebrities_only=True) == []
    await stores.graph.follow(fan2, popular, [UserFollowed(fan2, popular)])
    assert sorted(await stores.graph.following_ids(reader)) == sorted([popular, modest])
    assert await stores.graph.following_ids(reader, celebrities_only=True) == [popular]
    assert (await stores.graph.get(popular)).celebrity and not (await stores.graph.get(modest)).celebrity
    await stores.graph.unfollow(fan2, popular, [])  # 2 followers: at the lower line, still one
    assert await stores.graph.following_ids(reader, celebrities_only=True) == [popular]
    await stores.graph.unfollow(fan1, popular, [UserUnfollowed(fan1, popular)])  # 1: no longer
    assert await stores.graph.following_ids(reader, celebrities_only=True) == []
    assert not (await stores.graph.get(popular)).celebrity
    changes = await events_in(stores.graph_outbox, CelebrityChanged)
    assert [(c.user_id, c.celebrity) for c in changes] == [(popular, True), (popular, False)]
    assert changes[0].since_ms == changes[1].since_ms > 0
    assert await stores.graph.following_ids(popular) == []


async def test_deleting_a_user_removes_their_edges_and_fixes_everyone_s_counts(stores):
    gone, fan1, fan2, idol = await register(stores, 1, 2, 3, 4)
    for follower, followee in [(fan1, gone), (fan2, gone), (gone, idol), (fan1, idol)]:
        await stores.graph.follow(follower, followee, [])
    asked = []

    def events_for(followers: list[int]) -> list:
        asked.append(sorted(followers))
        return [UserDeleted(gone)]

    assert await stores.graph.delete_user(gone, events_for) is True
    assert asked == [sorted([fan1, fan2])]
    assert await stores.graph.get(gone) is None
    assert [await counts(stores, u) for u in (fan1, fan2, idol)] == [(0, 1), (0, 0), (1, 0)]
    assert not await stores.graph.is_following(fan1, gone)
    assert (await stores.graph.follower_ids(idol, PageRequest(10))).items == [fan1]
    assert await stores.graph.delete_user(gone, events_for) is False
    assert await events_in(stores.graph_outbox) == [UserDeleted(gone)]
    assert await stores.graph.get_by_handle("user1") is None


async def test_largest_ids_start_at_zero_and_follow_the_largest_stored(stores):
    assert (await stores.graph.largest_id(), await stores.tweets.largest_id()) == (0, 0)
    await register(stores, 7, 3)
    await stores.tweets.add(tweet(5, sid(3)), [])
    await stores.tweets.add(tweet(2**40, sid(3)), [])
    assert (await stores.graph.largest_id(), await stores.tweets.largest_id()) == (sid(7), sid(2**40))


async def test_concurrent_follows_of_one_user_keep_counts_exact(stores):
    star, *fans = await register(stores, *range(1, 32))
    results = await asyncio.gather(
        *(stores.graph.follow(fan, star, []) for fan in fans), *(stores.graph.follow(fans[0], star, []) for _ in range(10))
    )
    assert sum(results) == 30
    assert await counts(stores, star) == (30, 0)
    assert {await counts(stores, fan) for fan in fans} == {(0, 1)}


async def test_a_user_deleted_while_followed_and_unfollowed_keeps_no_edge_and_counts_stay_true(stores):
    target, *fans = await register(stores, *range(1, 22))
    for fan in fans[:10]:
        await stores.graph.follow(fan, target, [])
    results = await asyncio.gather(
        stores.graph.delete_user(target, lambda followers: []),
        *(stores.graph.follow(fan, target, []) for fan in fans[10:]),
        *(stores.graph.unfollow(fan, target, []) for fan in fans[:5]),
    )
    assert results[0] is True
    assert await stores.graph.get(target) is None
    for fan in fans:
        assert not await stores.graph.is_following(fan, target)
        assert await counts(stores, fan) == (0, 0)


async def test_users_who_follow_each_other_can_be_deleted_at_the_same_time(stores):
    a, b, c = await register(stores, 1, 2, 3)
    for follower, followee in [(a, b), (b, a), (c, a), (c, b), (a, c)]:
        await stores.graph.follow(follower, followee, [])
    results = await asyncio.gather(*(stores.graph.delete_user(u, lambda followers: []) for u in (a, b)))
    assert results == [True, True]
    assert await counts(stores, c) == (0, 0)


# Tweets

AUTHOR, OTHER, THIRD = sid(101), sid(102), sid(103)


async def test_a_tweet_reads_back_exactly_and_impossible_ids_are_left_out(stores):
    posted = tweet(1, AUTHOR, "héllo 🌍 世界\n\tand \x01 'quotes' \"too\" \\ %s $1 ?")
    await stores.tweets.add(posted, [TweetCreated(posted.tweet_id, AUTHOR, posted.text)])
    assert await stores.tweets.get_many([posted.tweet_id, sid(2), 0, -1, 2**64 - 1, posted.tweet_id]) == {posted.tweet_id: posted}
    assert await stores.tweets.get_many([]) == {}
    assert await events_in(stores.tweet_outbox) == [TweetCreated(posted.tweet_id, AUTHOR, posted.text)]


async def test_a_reply_counts_on_its_parent_until_deleted_then_stays_as_a_tombstone(stores):
    parent, reply = tweet(1, AUTHOR), tweet(2, OTHER, "a reply", reply_to=sid(1))
    await stores.tweets.add(parent, [])
    await stores.tweets.add(reply, [])
    assert (await stored(stores, parent.tweet_id)).reply_count == 1
    assert (await stores.tweets.replies_to(parent.tweet_id, PageRequest(10))).items == [reply.tweet_id]
    assert await stores.tweets.delete(reply, [TweetDeleted(reply.tweet_id, OTHER)]) is True
    assert await stores.tweets.delete(reply, [TweetDeleted(reply.tweet_id, OTHER)]) is False
    assert await stores.tweets.get_many([reply.tweet_id]) == {}
    assert (await stored(stores, parent.tweet_id)).reply_count == 0
    assert (await stores.tweets.replies_to(parent.tweet_id, PageRequest(10))).items == []
    assert await stores.tweets.recent_ids([OTHER], None, 10) == []
    assert await stores.tweets.recent_ids([OTHER], None, 10, include_deleted=True) == [reply.tweet_id]
    assert await events_in(stores.tweet_outbox) == [TweetDeleted(reply.tweet_id, OTHER)]


async def test_recent_ids_are_the_authors_tweets_below_before_newest_first(stores):
    for n, author in [(1, AUTHOR), (2, OTHER), (3, AUTHOR), (4, OTHER), (5, AUTHOR), (6, THIRD)]:
        await stores.tweets.add(tweet(n, author), [])
    assert await stores.tweets.recent_ids([AUTHOR, OTHER], None, 10) == [sid(5), sid(4), sid(3), sid(2), sid(1)]
    assert await stores.tweets.recent_ids([AUTHOR, OTHER], sid(4), 2) == [sid(3), sid(2)]
    assert await stores.tweets.recent_ids([THIRD], None, 10) == [sid(6)]
    assert await stores.tweets.recent_ids([sid(99)], None, 10) == []


async def test_an_author_s_tweets_come_newest_first_page_by_page_without_the_deleted(stores):
    for n in range(1, 6):
        await stores.tweets.add(tweet(n, AUTHOR), [])
    await stores.tweets.delete(tweet(4, AUTHOR), [])
    pages = await every_page(lambda page: stores.tweets.by_author(AUTHOR, page), 2)
    assert pages == [[sid(5), sid(3)], [sid(2), sid(1)]]


async def test_likes_are_idempotent_counted_and_only_land_on_visible_tweets(stores):
    liked, other = tweet(1, AUTHOR), tweet(2, AUTHOR)
    await stores.tweets.add(liked, [])
    await stores.tweets.add(other, [])
    assert await stores.tweets.like(liked.tweet_id, OTHER, [TweetLiked(liked.tweet_id, OTHER)]) is True
    assert await stores.tweets.like(liked.tweet_id, OTHER, [TweetLiked(liked.tweet_id, OTHER)]) is False
    assert await stores.tweets.like(liked.tweet_id, THIRD, [TweetLiked(liked.tweet_id, THIRD)]) is True
    assert (await stored(stores, liked.tweet_id)).like_count == 2
    assert await stores.tweets.liked_among(OTHER, [liked.tweet_id, other.tweet_id, sid(9)]) == {liked.tweet_id}
    assert await stores.tweets.unlike(liked.tweet_id, OTHER, [TweetUnliked(liked.tweet_id, OTHER)]) is True
    assert await stores.tweets.unlike(liked.tweet_id, OTHER, [TweetUnliked(liked.tweet_id, OTHER)]) is False
    assert (await stored(stores, liked.tweet_id)).like_count == 1
    assert await stores.tweets.like(sid(9), OTHER, []) is False
    await stores.tweets.delete(other, [])
    assert await stores.tweets.like(other.tweet_id, OTHER, []) is False
    assert await stores.tweets.liked_among(OTHER, [other.tweet_id]) == set()
    expected = [TweetLiked(liked.tweet_id, OTHER), TweetLiked(liked.tweet_id, THIRD), TweetUnliked(liked.tweet_id, OTHER)]
    assert await events_in(stores.tweet_outbox) == expected


async def test_a_user_retweets_an_original_once_until_that_retweet_is_deleted(stores):
    original = tweet(1, AUTHOR)
    first = tweet(2, OTHER, "", retweet_of=original.tweet_id)
    await stores.tweets.add(original, [])
    await stores.tweets.add(first, [])
    assert await stores.tweets.retweet_of(OTHER, original.tweet_id) == first
    assert await stores.tweets.retweeted_among(OTHER, [original.tweet_id, sid(9)]) == {original.tweet_id}
    with pytest.raises(AlreadyExists, match=f"you already retweeted tweet {original.tweet_id}"):
        await stores.tweets.add(tweet(3, OTHER, "", retweet_of=original.tweet_id), [TweetCreated(sid(3), OTHER)])
    assert await stores.tweets.get_many([sid(3)]) == {}
    assert await events_in(stores.tweet_outbox) == []
    assert (await stored(stores, original.tweet_id)).retweet_count == 1
    await stores.tweets.delete(first, [])
    assert await stores.tweets.retweet_of(OTHER, original.tweet_id) is None
    assert (await stored(stores, original.tweet_id)).retweet_count == 0
    await stores.tweets.add(tweet(4, OTHER, "", retweet_of=original.tweet_id), [])
    await stores.tweets.add(tweet(5, THIRD, "", retweet_of=original.tweet_id), [])
    assert (await stored(stores, original.tweet_id)).retweet_count == 2


async def test_deleting_all_by_an_author_takes_their_tweets_and_likes_and_fixes_counts(stores):
    theirs = tweet(1, OTHER)
    await stores.tweets.add(theirs, [])
    mine = [tweet(2, AUTHOR, "two"), tweet(3, AUTHOR, "three", reply_to=theirs.tweet_id),
            tweet(4, AUTHOR, "", retweet_of=theirs.tweet_id), tweet(5, AUTHOR, "self reply", reply_to=sid(2))]  # fmt: skip
    for posted in [tweet(6, AUTHOR), *mine]:
        await stores.tweets.add(posted, [])
    await stores.tweets.delete(tweet(6, AUTHOR), [])
    await stores.tweets.like(theirs.tweet_id, AUTHOR, [])
    await stores.tweets.like(sid(2), OTHER, [])
    deleted = await stores.tweets.delete_all_by(AUTHOR)
    assert sorted(deleted, key=lambda t: t.tweet_id) == [replace(mine[0], reply_count=1, like_count=1), *mine[1:]]
    assert await stored(stores, theirs.tweet_id) == theirs
    assert await stores.tweets.liked_among(AUTHOR, [theirs.tweet_id]) == set()
    assert await stores.tweets.get_many([t.tweet_id for t in mine]) == {}
    assert await stores.tweets.recent_ids([AUTHOR], None, 10, include_deleted=True) == [sid(6), sid(5), sid(4), sid(3), sid(2)]
    assert await events_in(stores.tweet_outbox, TweetDeleted) == [TweetDeleted(t.tweet_id, AUTHOR) for t in deleted]
    assert await stores.tweets.delete_all_by(AUTHOR) == []


async def test_fifty_concurrent_likes_keep_like_count_exact(stores):
    liked = tweet(1, AUTHOR)
    await stores.tweets.add(liked, [])
    fans = [sid(1000 + i) for i in range(50)]
    results = await asyncio.gather(
        *(stores.tweets.like(liked.tweet_id, fan, []) for fan in fans), *(stores.tweets.like(liked.tweet_id, fans[0], []) for _ in range(10))
    )
    assert sum(results) == 50
    assert (await stored(stores, liked.tweet_id)).like_count == 50
    results = await asyncio.gather(*(stores.tweets.unlike(liked.tweet_id, fan, []) for fan in fans + fans[:10]))
    assert sum(results) == 50
    assert (await stored(stores, liked.tweet_id)).like_count == 0


async def test_concurrent_retweets_by_one_user_store_exactly_one(stores):
    original = tweet(1, AUTHOR)
    await stores.tweets.add(original, [])
    attempts = [stores.tweets.add(tweet(10 + i, OTHER, "", retweet_of=original.tweet_id), []) for i in range(10)]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    assert sum(result is None for result in results) == 1
    assert all(isinstance(result, AlreadyExists) for result in results if result is not None)
    assert (await stored(stores, original.tweet_id)).retweet_count == 1


async def test_accounts_deleted_at_once_leave_exact_counts_on_each_others_tweets(stores):
    bystander = [tweet(n, THIRD) for n in range(1, 6)]
    for n, author in enumerate([AUTHOR, OTHER] * 5, start=10):
        await stores.tweets.add(tweet(n, author), [])  # originals the other one replies to and likes
    for i, posted in enumerate(bystander):
        await stores.tweets.add(posted, [])
        for base, author in [(100, AUTHOR), (200, OTHER)]:
            await stores.tweets.add(tweet(base + i, author, "re", reply_to=posted.tweet_id), [])
            await stores.tweets.like(posted.tweet_id, author, [])
    for n in range(10, 20):
        replier = OTHER if n % 2 == 0 else AUTHOR
        await stores.tweets.add(tweet(300 + n, replier, "cross", reply_to=sid(n)), [])
        await stores.tweets.like(sid(n), replier, [])
    deleted = await asyncio.gather(stores.tweets.delete_all_by(AUTHOR), stores.tweets.delete_all_by(OTHER))
    assert [len(tweets) for tweets in deleted] == [15, 15]
    assert await stores.tweets.get_many([t.tweet_id for t in bystander]) == {t.tweet_id: t for t in bystander}


# The outbox, as its consumers see it


async def test_appended_events_are_pending_in_order_with_the_trace_they_were_stored_in(stores):
    events = [UserFollowed(n, n + 1) for n in range(1, 6)]
    with trace.use_span(NonRecordingSpan(TRACE)):
        await publish(stores, events)
    await publish(stores, [UserDeleted(9)])
    pending = await stores.graph_outbox.pending(0, 100)
    assert [event_codec.decode(p.payload) for p in pending] == [*events, UserDeleted(9)]
    assert [p.seq for p in pending] == sorted({p.seq for p in pending})
    assert [p.headers for p in pending] == [{"traceparent": TRACEPARENT}] * 5 + [{}]
    after_two = await stores.graph_outbox.pending(pending[1].seq, 2)
    assert [event_codec.decode(p.payload) for p in after_two] == events[2:4]


async def test_offsets_are_kept_per_consumer_and_stats_count_what_is_left(stores):
    await publish(stores, [UserDeleted(n) for n in range(1, 4)])
    seqs = [p.seq for p in await stores.graph_outbox.pending(0, 10)]
    assert await stores.graph_outbox.offset("relay") == 0
    stats = await stores.graph_outbox.stats("relay")
    assert (stats.depth, stats.dead_letters, stats.redeliveries) == (3, 0, 0)
    assert 0 <= stats.oldest_pending_age_seconds < 60
    assert [p.seq for p in await stores.graph_outbox.unread("relay", 2)] == seqs[:2]  # no offset saved yet: from the start
    await stores.graph_outbox.save_offset("relay", seqs[1])
    assert (await stores.graph_outbox.offset("relay"), await stores.graph_outbox.offset("fanout")) == (seqs[1], 0)
    assert [p.seq for p in await stores.graph_outbox.unread("relay", 10)] == seqs[2:]
    assert [p.seq for p in await stores.graph_outbox.unread("fanout", 10)] == seqs
    assert (await stores.graph_outbox.stats("relay")).depth == 1
    await stores.graph_outbox.save_offset("relay", seqs[2])
    stats = await stores.graph_outbox.stats("relay")
    assert (stats.depth, stats.oldest_pending_age_seconds) == (0, 0.0)
    assert (await stores.graph_outbox.stats("fanout")).depth == 3


async def test_dead_letters_are_counted_per_consumer_once_per_event(stores):
    await stores.graph_outbox.dead_letter("relay", 1, "boom")
    await stores.graph_outbox.dead_letter("relay", 1, "boom again")
    await stores.graph_outbox.dead_letter("relay", 2, "bang")
    assert (await stores.graph_outbox.stats("relay")).dead_letters == 2
    assert (await stores.graph_outbox.stats("fanout")).dead_letters == 0


async def test_a_rolled_back_or_cancelled_transaction_leaves_no_event(stores):
    with pytest.raises(RuntimeError):
        async with stores.graph_db.transaction() as tx:
            await stores.graph_outbox.append(tx, [UserDeleted(1)])
            raise RuntimeError("the change failed")
    appended = asyncio.Event()

    async def cancelled_midway() -> None:
        async with stores.graph_db.transaction() as tx:
            await stores.graph_outbox.append(tx, [UserDeleted(2)])
            appended.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(cancelled_midway())
    await appended.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await publish(stores, [UserDeleted(3)])
    assert await events_in(stores.graph_outbox) == [UserDeleted(3)]


async def test_a_write_that_fails_stores_no_event_and_wakes_no_one(stores):
    listener = stores.graph_outbox.listen()

    async def fail(tx) -> None:
        await stores.graph_outbox.append(tx, [UserDeleted(1)])
        raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        await stores.graph_outbox.write(fail)
    assert not listener.is_set()
    await publish(stores, [UserDeleted(2)])
    assert listener.is_set()
    assert await events_in(stores.graph_outbox) == [UserDeleted(2)]


async def test_an_event_committed_later_never_shows_before_an_earlier_one_still_open(stores):
    async with stores.graph_db.transaction() as earlier:
        await stores.graph_outbox.append(earlier, [UserDeleted(1)])
        later = asyncio.create_task(publish(stores, [UserDeleted(2)]))
        await asyncio.sleep(0.2)
        assert await stores.graph_outbox.pending(0, 10) == []
    await later
    assert await events_in(stores.graph_outbox) == [UserDeleted(1), UserDeleted(2)]


async def test_a_consumer_drains_in_order_and_sets_aside_an_event_that_keeps_failing(stores):
    events = [UserFollowed(n, n + 1) for n in range(1, 6)]
    await publish(stores, events)
    seen = []

    async def handler(event) -> None:
        if event == events[2]:
            raise ValueError("poison")
        seen.append(event)

    consumer = OutboxConsumer(stores.graph_outbox, "test", handler, RetryPolicy(attempts=2, first_backoff_seconds=0, outage_seconds=0))
    consumer.batch_size = 2
    while await consumer.drain_once():
        pass
    assert seen == events[:2] + events[3:]
    stats = await consumer.stats()
    assert (stats.depth, stats.dead_letters) == (0, 1)


# Restarts


async def test_stores_opened_again_keep_their_data_and_each_consumer_s_position(opener):
    first = await opener()
    (a, b) = await register(first, 1, 2)
    await first.graph.follow(a, b, [UserFollowed(a, b)])
    await first.tweets.add(tweet(3, a), [])
    await first.graph_outbox.save_offset("relay", 1)
    await first.close()
    second = await opener()
    assert await counts(second, b) == (1, 0)
    assert await stored(second, sid(3)) == tweet(3, a)
    assert await second.graph_outbox.offset("relay") == 1
    assert await events_in(second.graph_outbox) == [UserFollowed(a, b)]


async def test_a_second_store_opened_on_the_same_location_shares_it(opener):
    one, two = await opener(), await opener()
    await one.graph.add_user(user(1, "ada"))
    assert await two.graph.get_by_handle("ADA") == user(1, "ada")
    with pytest.raises(AlreadyExists):
        await two.graph.add_user(user(2, "Ada"))


async def test_postgres_services_starting_together_apply_each_migration_once(postgres_dsn):
    """Not part of the contract: SQLite's embedded mesh is one process, which opens its file once."""
    opened = await asyncio.gather(*(PostgresDatabase.open(postgres_dsn, "graph", GRAPH_MIGRATIONS) for _ in range(4)))
    try:
        rows = await opened[0].fetch_all("SELECT version FROM schema_migrations ORDER BY version")
        assert [row["version"] for row in rows] == list(range(1, len(GRAPH_MIGRATIONS) + 1))
        for db in opened:
            await db.ping()
    finally:
        for db in opened:
            await db.close()


async def test_postgres_runs_again_a_transaction_it_aborted_to_break_a_deadlock(postgres_dsn):
    """Not part of the contract either: SQLite runs one write at a time, so it never deadlocks."""
    db = await PostgresDatabase.open(postgres_dsn, "scratch", ["CREATE TABLE cells (id INT PRIMARY KEY, n INT NOT NULL)"])
    await db.execute("INSERT INTO cells VALUES (1, 0), (2, 0)")
    both_hold_one, attempts = asyncio.Barrier(2), []

    def crosswise(first: int, second: int):
        async def work(tx) -> None:
            attempts.append(first)
            await tx.execute("UPDATE cells SET n = n + 1 WHERE id = $1", first)
            if len(attempts) <= 2:
                await both_hold_one.wait()
            await tx.execute("UPDATE cells SET n = n + 1 WHERE id = $1", second)

        return work

    try:
        await asyncio.gather(db.run_in_transaction(crosswise(1, 2)), db.run_in_transaction(crosswise(2, 1)))
        assert len(attempts) >= 3  # one rerun at least; a loaded machine may need more
        assert [row["n"] for row in await db.fetch_all("SELECT n FROM cells ORDER BY id")] == [2, 2]
    finally:
        await db.close()
