"""Trending's rule and refresher on the in-memory store, with a fake clock: no I/O."""

import asyncio

import pytest

from services.common.kernel.errors import InvalidArgument
from services.common.kernel.events import TweetCreated, TweetDeleted, UserDeleted
from services.common.kernel.hashtags import extract_hashtags
from services.common.kernel.ids import compose
from services.common.kernel.pagination import PageRequest
from services.trending.adapters.memory_trends import InMemoryTrendStore
from services.trending.domain import MINUTE_MS, decayed, growth_score, window_of
from services.trending.refresher import LEASE_MS, Refresher
from services.trending.service import TrendingService

START_MS = 1_764_547_200_000  # 2025-12-01T00:00:00Z


class FakeClock:
    def __init__(self):
        self.ms = START_MS

    def __call__(self) -> int:
        return self.ms

    def advance(self, minutes: float) -> None:
        self.ms += int(minutes * MINUTE_MS)


class World:
    def __init__(self):
        self.clock = FakeClock()
        self.store = InMemoryTrendStore(self.clock)
        self.refresher = Refresher(self.store, self.clock, refresh_ms=30_000, owner="me")
        self.trending = TrendingService(self.store, self.refresher, self.clock)
        self.sequence = 0

    async def post(self, author: int, text: str, retweet_of: int = 0) -> int:
        self.sequence += 1
        tweet_id = compose(self.clock.ms, 1, self.sequence)
        await self.trending.handle(TweetCreated(tweet_id, author, text, retweet_of_tweet_id=retweet_of))
        return tweet_id

    async def top(self, window: int = 0, size: int = 10) -> dict[str, tuple[float, int, int]]:
        await self.refresher.refresh()
        _, page = await self.trending.trending(window, PageRequest(size))
        return {t.tag: (t.score, t.authors, t.tweets) for t in page.items}


@pytest.fixture
def world() -> World:
    return World()


def test_the_growth_rule_scores_distinct_authors_over_the_baseline():
    assert growth_score(5, 0) == 16.0  # a new tag: expected is at least 1
    assert growth_score(4, 0) == 0.0  # under the minimum of 5 authors
    assert growth_score(20, 10) == 10.0
    assert growth_score(10, 20) == 0.0  # shrinking
    assert decayed(16.0, 60 * MINUTE_MS, 60) == 8.0


@pytest.mark.parametrize("bad", [-1, 1441, 100_000])
def test_a_window_outside_a_day_is_refused(bad):
    assert window_of(0) == 60 and window_of(1440) == 1440
    with pytest.raises(InvalidArgument) as refused:
        window_of(bad)
    assert refused.value.field == "window_minutes" and "1 to 1440" in refused.value.message


def test_hashtags_follow_twitter_text_rules_and_fold_case():
    text = "#Chirp #chirp #2024 #a1 a#b &#x #Café ＃全角 #foo#bar https://example.com/#frag (#paren) #tag."
    assert extract_hashtags(text) == ["chirp", "a1", "café", "全角", "paren", "tag"]
    assert extract_hashtags("CAF\u0045\u0301 #CAFE\u0301") == ["café"]  # NFC, then lower case


async def test_a_burst_of_a_new_tag_trends_above_a_steady_popular_one(world: World):
    for _ in range(4):  # the steady tag's 20 accounts, window after window: its first-window score has decayed to 1/16
        for author in range(1, 21):
            await world.post(author, "as always #steady")
        await world.top()
        world.clock.advance(60)
    for author in range(1, 21):
        await world.post(author, "as always #steady")
    for author in range(100, 108):
        await world.post(author, "look #burst")
    top = await world.top()
    assert list(top) == ["burst", "steady"]
    assert top["burst"] == (49.0, 8, 8)  # (8 - 1)^2 / 1
    assert top["steady"] == (361.0 / 16, 20, 20)  # no growth now: only its first window's score, four half-lives on


async def test_one_author_alone_never_trends_however_much_they_post(world: World):
    for _ in range(50):
        await world.post(7, "buy now #spam")
    for author in range(1, 6):
        await world.post(author, "hi #real")
    assert list(await world.top()) == ["real"]


async def test_retweets_do_not_count_again(world: World):
    original = await world.post(1, "#echo")
    for author in range(2, 8):
        await world.post(author, "", retweet_of=original)
    assert await world.top() == {}


async def test_deleted_tweets_and_deleted_accounts_stop_counting_at_the_next_refresh(world: World):
    posted = [await world.post(author, "#gone") for author in range(1, 7)]
    assert (await world.top())["gone"][1] == 6
    await world.trending.handle(TweetDeleted(posted[0], 1))
    await world.trending.handle(UserDeleted(2))
    assert await world.top() == {}  # 4 authors left: under the minimum, so no score carries


async def test_the_window_slides_and_a_faded_burst_decays_then_drops(world: World):
    for author in range(1, 7):
        await world.post(author, "#moment")
    assert (await world.top())["moment"][0] == 25.0
    world.clock.advance(30)
    assert await world.top(window=15) == {}  # the 15-minute window no longer holds those uses
    world.clock.advance(29)
    score, authors, _ = (await world.top())["moment"]
    assert authors == 6 and score == 25.0  # growth still counted against an empty window before
    world.clock.advance(2)
    assert await world.top() == {}  # slid out of the window


async def test_a_score_carries_with_a_half_life_while_the_tag_keeps_its_authors(world: World):
    for author in range(1, 11):
        await world.post(author, "#wave")
    assert (await world.top())["wave"][0] == 81.0
    world.clock.advance(60)
    for author in range(1, 11):  # the same ten accounts again: no growth over the baseline
        await world.post(author, "#wave")
    score, authors, _ = (await world.top())["wave"]
    assert authors == 10 and score == pytest.approx(81.0 / 2)


async def test_only_the_lease_holder_refreshes_and_a_lapsed_lease_is_taken_over(world: World):
    await world.post(1, "#x")
    assert await world.store.acquire("other replica", LEASE_MS)
    assert not await world.refresher.refresh()
    world.clock.advance(LEASE_MS / MINUTE_MS + 0.01)
    assert await world.refresher.refresh()


async def test_a_refresh_runs_when_due_and_the_response_says_when(world: World):
    assert await world.refresher.refresh_if_due()
    assert not await world.refresher.refresh_if_due()
    world.clock.advance(0.5)
    assert await world.refresher.refresh_if_due()
    ranking, _ = await world.trending.trending(0, PageRequest(10))
    assert ranking.refreshed_ms == world.clock.ms and ranking.window_minutes == 60


async def test_pages_walk_the_ranking(world: World):
    for n in range(12):
        for author in range(1, 6 + n):
            await world.post(author, f"#tag{n}")
    await world.refresher.refresh()
    _, first = await world.trending.trending(0, PageRequest(5))
    _, second = await world.trending.trending(0, PageRequest(10, first.next_cursor))
    assert [t.tag for t in first.items] == [f"tag{n}" for n in range(11, 6, -1)]
    assert len(second.items) == 7 and second.next_cursor is None


class StoreThatHangs(InMemoryTrendStore):
    """A store whose client turns a cancellation into an error, as redis-py may mid-command."""

    async def ranking(self, window: int):
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise ConnectionError("connection closed while reading") from None


async def test_the_refresh_loop_stops_even_when_the_store_swallows_the_cancellation():
    clock = FakeClock()
    refresher = Refresher(StoreThatHangs(clock), clock)
    refresher.start()
    await asyncio.sleep(0.01)
    await asyncio.wait_for(refresher.stop(), 2)


class StoreCountingPublishers(InMemoryTrendStore):
    """A store whose publishing takes a while, counting how many publish at once."""

    def __init__(self, clock):
        super().__init__(clock)
        self.publishing = self.most_at_once = 0

    async def publish(self, ranking):
        self.publishing += 1
        self.most_at_once = max(self.most_at_once, self.publishing)
        await asyncio.sleep(0.01)
        await super().publish(ranking)
        self.publishing -= 1


async def test_a_replica_refreshes_one_window_list_at_a_time_though_requests_and_its_loop_ask_together():
    clock = FakeClock()
    store = StoreCountingPublishers(clock)
    refresher = Refresher(store, clock, owner="me")
    assert all(await asyncio.gather(refresher.refresh([60]), refresher.refresh([15]), refresher.refresh()))
    assert store.most_at_once == 1


async def test_a_steady_tag_does_not_spike_when_one_refresh_was_missed(world: World):
    """Long after a start (whose first window has no baseline), a steady tag scores about 0.7; a missed refresh
    used to leave the window after it no baseline, and the tag scored 75."""
    for minute in range(466):
        for author in range(1, 11):
            await world.post(author, "#steady")
        if minute != 400:  # a failed tick, or the lease moving to another replica
            await world.refresher.refresh()
        world.clock.advance(1)
    score, authors, _ = (await world.top())["steady"]
    assert authors == 10 and score < 1
