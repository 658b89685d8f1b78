import asyncio

import pytest

from services.common.kernel.events import CelebrityChanged, TweetCreated, TweetDeleted, UserDeleted, UserFollowed, UserUnfollowed
from services.common.kernel.ids import ID_LEASE_MS, first_id_at
from services.fanout.adapters.memory_unfollow_marks import MemoryUnfollowMarks
from services.fanout.domain import Action, Chunk
from services.fanout.service import FanoutService
from services.timeline.adapters.memory_cache import InMemoryTimelineCache
from tests.unit.fakes import FakeGraph, FakeTweets

AUTHOR, STAR = 1, 2
FANS = list(range(100, 110))


@pytest.fixture
def world():
    graph, tweets = FakeGraph(celebrity_threshold=len(FANS)), FakeTweets()
    for fan in FANS:
        graph.follow(fan, STAR)
    for fan in FANS[:4]:
        graph.follow(fan, AUTHOR)
    cache = InMemoryTimelineCache(capacity=800)
    return graph, tweets, cache, FanoutService(cache, graph, tweets, MemoryUnfollowMarks(3600), batch_size=3, capacity=800)


async def start_all(cache):
    for fan in FANS:
        await cache.start(fan)
        await cache.complete(fan)


async def test_a_tweet_reaches_every_follower_in_batches(world):
    graph, tweets, cache, fanout = world
    await start_all(cache)
    await fanout.handle(TweetCreated(tweets.add(7, AUTHOR), AUTHOR))
    assert [await cache.read(f) for f in FANS[:4]] == [[7]] * 4
    assert await cache.read(FANS[5]) == []
    assert fanout.counters.timeline_writes == 4


async def test_a_celebrity_tweet_writes_nothing(world):
    graph, tweets, cache, fanout = world
    await start_all(cache)
    await fanout.handle(TweetCreated(tweets.add(8, STAR), STAR))
    assert fanout.counters.timeline_writes == 0 and fanout.counters.celebrity_tweets_skipped == 1
    assert all([await cache.read(f) == [] for f in FANS])


async def test_an_author_seen_below_the_line_is_pushed_without_asking_the_graph(world, monkeypatch):
    graph, tweets, cache, fanout = world
    await start_all(cache)

    async def not_to_be_asked(user_id: int) -> bool:
        raise AssertionError("the post said its author was below the line")

    monkeypatch.setattr(graph, "is_celebrity", not_to_be_asked)
    await fanout.handle(TweetCreated(tweets.add(7, AUTHOR), AUTHOR, author_below_line=True))
    assert [await cache.read(f) for f in FANS[:4]] == [[7]] * 4


async def test_a_tweet_not_seen_below_the_line_is_skipped_only_on_the_graphs_word(world):
    graph, tweets, cache, fanout = world
    await start_all(cache)
    await fanout.handle(TweetCreated(tweets.add(8, STAR), STAR, author_below_line=False))  # a retweet, or an author seen above
    assert fanout.counters.celebrity_tweets_skipped == 1
    graph.unfollow(FANS[0], STAR)  # dropped below the line since the post
    await fanout.handle(TweetCreated(tweets.add(9, STAR), STAR))
    assert [await cache.read(f) for f in FANS[1:]] == [[9]] * (len(FANS) - 1)


async def test_a_redelivered_event_adds_no_duplicate(world):
    graph, tweets, cache, fanout = world
    await start_all(cache)
    event = TweetCreated(tweets.add(9, AUTHOR), AUTHOR)
    await fanout.handle(event)
    await fanout.handle(event)
    assert await cache.read(FANS[0]) == [9]


async def test_a_delete_removes_the_tweet_from_every_timeline(world):
    graph, tweets, cache, fanout = world
    await start_all(cache)
    await fanout.handle(TweetCreated(tweets.add(9, AUTHOR), AUTHOR))
    await fanout.handle(TweetDeleted(9, AUTHOR))
    assert all([await cache.read(f) == [] for f in FANS])


async def test_follow_merges_recent_tweets_and_unfollow_removes_them(world):
    graph, tweets, cache, fanout = world
    reader = FANS[9]
    await cache.start(reader)
    await cache.complete(reader)
    await cache.add([reader], [5])
    for tweet_id in (3, 6, 9):
        tweets.add(tweet_id, AUTHOR)
    graph.follow(reader, AUTHOR)
    await fanout.handle(UserFollowed(reader, AUTHOR))
    assert await cache.read(reader) == [9, 6, 5, 3]
    tweets.deleted.add(9)  # deleted since: still removed from the cache on unfollow
    graph.unfollow(reader, AUTHOR)
    await fanout.handle(UserUnfollowed(reader, AUTHOR))
    assert await cache.read(reader) == [5]


async def test_a_follow_event_arriving_after_the_unfollow_adds_nothing(world):
    graph, tweets, cache, fanout = world
    reader = FANS[9]
    await cache.start(reader)
    await cache.complete(reader)
    tweets.add(3, AUTHOR)
    await fanout.handle(UserUnfollowed(reader, AUTHOR))  # delivered first: the follow is redelivered late
    await fanout.handle(UserFollowed(reader, AUTHOR))
    assert await cache.read(reader) == []


async def test_an_unfollow_event_arriving_after_a_new_follow_removes_nothing(world):
    graph, tweets, cache, fanout = world
    reader = FANS[9]
    await cache.start(reader)
    await cache.complete(reader)
    tweets.add(3, AUTHOR)
    graph.follow(reader, AUTHOR)  # followed, unfollowed, followed again; the old unfollow arrives last
    await fanout.handle(UserFollowed(reader, AUTHOR))
    await fanout.handle(UserUnfollowed(reader, AUTHOR))
    assert await cache.read(reader) == [3]


async def test_following_a_celebrity_merges_nothing(world):
    graph, tweets, cache, fanout = world
    await cache.start(AUTHOR)
    await cache.complete(AUTHOR)
    tweets.add(4, STAR)
    await fanout.handle(UserFollowed(AUTHOR, STAR))
    assert await cache.read(AUTHOR) == []


async def test_a_deleted_account_loses_its_timeline(world):
    graph, tweets, cache, fanout = world
    await start_all(cache)
    await fanout.handle(UserDeleted(FANS[0]))
    assert await cache.read(FANS[0]) is None


async def test_a_large_fan_out_is_split_into_chunks_that_apply_idempotently(world):
    graph, tweets, cache, _ = world
    submitted = []

    class Collect:
        async def submit(self, chunk):
            submitted.append(chunk)

    fanout = FanoutService(cache, graph, tweets, MemoryUnfollowMarks(3600), batch_size=3, capacity=800, chunks=Collect())
    await start_all(cache)
    await fanout.handle(TweetCreated(tweets.add(7, AUTHOR), AUTHOR))
    assert [len(c.follower_ids) for c in submitted] == [3, 1]
    assert all([await cache.read(f) == [] for f in FANS])  # queued, not yet applied
    for chunk in submitted + submitted:  # every chunk delivered twice
        await fanout.apply(chunk)
    assert [await cache.read(f) for f in FANS[:4]] == [[7]] * 4
    assert fanout.counters.timeline_writes == 4


async def test_chunks_applied_side_by_side_count_every_write(world):
    graph, tweets, _, _ = world

    class SlowCache(InMemoryTimelineCache):
        async def add(self, user_ids, tweet_ids):
            await asyncio.sleep(0.01)  # the next chunk starts while this one writes
            return await super().add(user_ids, tweet_ids)

    slow = SlowCache(capacity=800)
    await start_all(slow)
    fanout = FanoutService(slow, graph, tweets, MemoryUnfollowMarks(3600), batch_size=3, capacity=800)
    chunks = [Chunk(Action.ADD, tweet_id, tuple(FANS)) for tweet_id in range(50, 55)]
    await asyncio.gather(*(fanout.apply(chunk) for chunk in chunks))
    assert fanout.counters.timeline_writes == len(chunks) * len(FANS)


class HeldCache(InMemoryTimelineCache):
    """Holds every add until `release` is set: an add in flight, for a test to act meanwhile."""

    def __init__(self, capacity: int):
        super().__init__(capacity)
        self.entered, self.release = asyncio.Event(), asyncio.Event()

    async def add(self, user_ids, tweet_ids):
        self.entered.set()
        await self.release.wait()
        return await super().add(user_ids, tweet_ids)


async def _unfollow_while_an_add_is_held(graph, cache: HeldCache, fanout: FanoutService, add, follower: int, author: int):
    """Starts the add, lets the unfollow commit and be handled while the add waits, then lets it write."""
    task = asyncio.create_task(add)
    await cache.entered.wait()
    graph.unfollow(follower, author)
    removal = asyncio.create_task(fanout.handle(UserUnfollowed(follower, author)))
    await asyncio.sleep(0.01)  # the unfollow's removal runs first: nothing is there yet to remove
    cache.release.set()
    await asyncio.gather(task, removal)


async def test_a_follower_who_unfollows_while_a_chunk_is_in_flight_does_not_keep_its_tweet(world):
    graph, tweets, _, _ = world
    cache = HeldCache(capacity=800)
    await start_all(cache)
    fanout = FanoutService(cache, graph, tweets, MemoryUnfollowMarks(3600), batch_size=3, capacity=800)
    tweet = tweets.add(7, AUTHOR)
    chunk = Chunk(Action.ADD, tweet, tuple(FANS[:3]), AUTHOR)
    await _unfollow_while_an_add_is_held(graph, cache, fanout, fanout.apply(chunk), FANS[0], AUTHOR)
    assert await cache.read(FANS[0]) == []  # unfollowed: the tweet was taken back after the write
    assert [await cache.read(f) for f in FANS[1:3]] == [[tweet]] * 2


async def test_the_graph_is_asked_after_an_add_only_about_followers_marked_as_unfollowing(world, monkeypatch):
    graph, tweets, cache, fanout = world
    await start_all(cache)
    asked = []

    async def followers_among(followee_id, candidate_ids):
        asked.append(sorted(candidate_ids))
        return {c for c in candidate_ids if (c, followee_id) in graph.edges}

    monkeypatch.setattr(graph, "followers_among", followers_among)
    await fanout.apply(Chunk(Action.ADD, tweets.add(7, AUTHOR), tuple(FANS[:3]), AUTHOR))
    assert asked == []  # no one unfollowed: nothing to ask
    graph.unfollow(FANS[1], AUTHOR)
    await fanout.handle(UserUnfollowed(FANS[1], AUTHOR))
    graph.follow(FANS[1], AUTHOR)  # and followed again: marked still, but the graph's word keeps the tweet
    graph.unfollow(FANS[2], AUTHOR)  # unfollowed, its event not yet handled: its removal comes after this add
    tweet = tweets.add(8, AUTHOR)
    await fanout.apply(Chunk(Action.ADD, tweet, tuple(FANS[:3]), AUTHOR))
    assert asked == [[FANS[1]]]
    assert [tweet in await cache.read(f) for f in FANS[:3]] == [True, True, True]
    await fanout.handle(UserUnfollowed(FANS[2], AUTHOR))
    assert tweet not in await cache.read(FANS[2])


async def test_an_unfollow_handled_while_its_follow_is_being_applied_leaves_nothing(world):
    graph, tweets, _, _ = world
    cache = HeldCache(capacity=800)
    await start_all(cache)
    fanout = FanoutService(cache, graph, tweets, MemoryUnfollowMarks(3600), batch_size=3, capacity=800)
    reader = FANS[9]
    posted = [tweets.add(t, AUTHOR) for t in (20, 21)]
    graph.follow(reader, AUTHOR)
    await _unfollow_while_an_add_is_held(graph, cache, fanout, fanout.handle(UserFollowed(reader, AUTHOR)), reader, AUTHOR)
    assert not set(posted) & set(await cache.read(reader))


async def test_a_follow_of_a_celebrity_pushes_their_recent_tweets_too(world):
    graph, tweets, cache, fanout = world
    await start_all(cache)
    reader, posted = FANS[0], tweets.add(30, STAR)
    await fanout.handle(UserFollowed(reader, STAR))  # FANS[0] already follows the celebrity STAR
    assert await cache.read(reader) == [posted]  # there when STAR stops being a celebrity


async def test_a_user_who_stops_being_a_celebrity_has_that_stretch_pushed(world):
    graph, tweets, cache, fanout = world
    await start_all(cache)
    stretch_began_ms = 1_800_000_000_000
    older = tweets.add(first_id_at(stretch_began_ms - ID_LEASE_MS) - 1, STAR)  # before the stretch: pushed back then
    # an id leased just before the crossing may belong to a tweet of the stretch: pushed too
    during = [tweets.add(first_id_at(stretch_began_ms) + n, STAR) for n in (-1, 0, 5)]
    for fan in FANS[3:]:
        graph.unfollow(fan, STAR)
    await fanout.handle(CelebrityChanged(STAR, celebrity=False, since_ms=stretch_began_ms))
    assert [await cache.read(f) for f in FANS[:3]] == [sorted(during, reverse=True)] * 3
    assert all([older not in await cache.read(f) for f in FANS])
    assert all([await cache.read(f) == [] for f in FANS[3:]])  # no longer followers


class ToldReaders:
    """The read model's notices, as fan-out tells them."""

    def __init__(self):
        self.told: list[tuple] = []

    async def readers_changed(self, user_ids):
        self.told.append(("readers", sorted(user_ids)))

    async def account_deleted(self, user_id):
        self.told.append(("account", user_id))

    async def deleted(self, tweet_ids):
        self.told.append(("deleted", list(tweet_ids)))


async def test_fan_out_tells_the_read_model_again_what_each_event_changed(world):
    graph, tweets, cache, _ = world
    readers = ToldReaders()
    fanout = FanoutService(cache, graph, tweets, MemoryUnfollowMarks(3600), batch_size=3, capacity=800, readers=readers)
    tweet = tweets.add(7, AUTHOR)
    await fanout.handle(TweetDeleted(tweet, AUTHOR))
    graph.follow(FANS[5], AUTHOR)
    await fanout.handle(UserFollowed(FANS[5], AUTHOR))
    await fanout.handle(UserUnfollowed(FANS[6], AUTHOR))
    await fanout.handle(CelebrityChanged(STAR, celebrity=True, since_ms=1_800_000_000_000))
    await fanout.handle(UserDeleted(FANS[7]))
    assert readers.told == [
        ("deleted", [tweet]),
        ("readers", [FANS[5]]),
        ("readers", [FANS[6]]),
        *[("readers", batch) for batch in ([100, 101, 102], [103, 104, 105], [106, 107, 108], [109])],
        ("account", FANS[7]),
    ]


class QueuedChunks:
    def __init__(self):
        self.submitted: list[Chunk] = []

    async def submit(self, chunk: Chunk) -> None:
        self.submitted.append(chunk)


async def test_a_lone_chunk_is_applied_in_place_and_only_larger_fan_outs_are_queued(world):
    graph, tweets, cache, _ = world
    await start_all(cache)
    queue = QueuedChunks()
    fanout = FanoutService(cache, graph, tweets, MemoryUnfollowMarks(3600), batch_size=4, capacity=800, chunks=queue)
    small = tweets.add(7, AUTHOR)  # four followers: one chunk
    await fanout.handle(TweetCreated(small, AUTHOR))
    assert queue.submitted == [] and [await cache.read(f) for f in FANS[:4]] == [[small]] * 4
    graph.follow(FANS[4], AUTHOR)  # five followers: two chunks, both queued
    bigger = tweets.add(8, AUTHOR)
    await fanout.handle(TweetCreated(bigger, AUTHOR))
    assert [len(c.follower_ids) for c in queue.submitted] == [4, 1] and await cache.read(FANS[4]) == []
