"""The embedded mesh's warm home page (one pass over process memory) shows what the slow way shows, and
falls back whenever a copy is missing or an author's trimmed list ends above the page.

Both ways run over the same memory read model; the owning services behind it are stand-ins that count their calls.
"""

import pytest

from services.common.kernel.ids import first_id_at, wall_clock_ms
from services.common.kernel.pagination import PageRequest
from services.common.visibility.cached import CachedHiddenAccounts
from services.common.visibility.copies import MemoryHiddenCopies
from services.common.visibility.rules import HiddenAccounts, Surface
from services.timeline.adapters.memory_cache import InMemoryTimelineCache
from services.timeline.adapters.memory_home import MemoryHomePages
from services.timeline.adapters.memory_read_model import MemoryCopies
from services.timeline.read_model import POSTS_KEPT, CachedReaders, CachedTweets
from services.timeline.service import TimelineService
from tests.integration.read_model_doubles import Graph, Tweets
from tests.integration.read_model_doubles import walk as walk_home

READER, FRIENDS, CELEBRITY = 1, (7, 8), 50


class CountedPages(MemoryHomePages):
    served = missed = 0

    async def page(self, reader_id, page, keep=False):
        found = await super().page(reader_id, page, keep)
        self.served, self.missed = self.served + (found is not None), self.missed + (found is None)
        return found


class World:
    def __init__(self, celebrity_posts: int = 14):
        self.tweets, self.graph = Tweets(), Graph()
        self.graph.accounts.add(READER)
        self.graph.following[READER], self.graph.celebrities[READER] = [*FRIENDS, CELEBRITY], [CELEBRITY]
        for n in range(40):
            self.tweets.post(FRIENDS[n % 2], 1000 + 10 * n)
            if n % 7 == 0:
                self.tweets.post(READER, 1000 + 10 * n + 2)
        for n in range(celebrity_posts):
            self.tweets.post(CELEBRITY, 1001 + 30 * n)
        self.tweets.retweet(FRIENDS[0], 1033, 1030)  # shows 1030, just below it: once on a page
        self.tweets.likes.add((READER, 1030))
        self.posts = InMemoryTimelineCache(POSTS_KEPT)
        self.copies, self.hidden_copies, self.timelines = MemoryCopies(self.posts), MemoryHiddenCopies(), InMemoryTimelineCache(800)
        timelines = self.timelines
        cards = CachedTweets(self.tweets, self.copies, self.posts)
        hidden = CachedHiddenAccounts(self.graph, self.hidden_copies)
        self.slow = TimelineService(timelines, CachedReaders(self.graph, self.copies), cards, 800, hidden=hidden)
        self.pages = CountedPages(timelines, self.copies, self.posts, self.hidden_copies)
        self.warm = TimelineService(timelines, CachedReaders(self.graph, self.copies), cards, 800, self.pages, hidden=hidden)


async def walk(service: TimelineService, size: int) -> list[tuple[int, bool]]:
    return await walk_home(service, READER, size)


@pytest.mark.parametrize("size", [1, 6, 20])
async def test_a_warm_walk_shows_what_the_slow_way_shows_and_asks_no_service(size):
    world = World()
    expected = await walk(world.slow, size)
    assert len(expected) == len({i for i, _ in expected})
    assert size < 20 or len(expected) == 40 + 14 + 6  # the retweet's original once, on the retweet's page
    assert (1033, True) in expected
    world.tweets.hydrated.clear()
    world.tweets.recent_calls.clear()
    world.graph.calls = 0
    assert await walk(world.warm, size) == expected
    assert world.pages.missed == 0 and world.pages.served > 0
    assert world.tweets.hydrated == [] and world.tweets.recent_calls == [] and world.graph.calls == 0


async def test_deletes_and_deleted_accounts_are_hidden_on_the_warm_way():
    world = World()
    await walk(world.slow, 10)
    world.tweets.deleted.update({1040, 1030})
    await world.copies.deleted([1040, 1030])
    await world.copies.account_deleted(FRIENDS[1])
    shown = [i for i, _ in await walk(world.warm, 10)]
    assert not {1040, 1030, 1033} & set(shown)  # 1033 retweets the deleted 1030
    assert not {i for i in shown if world.tweets.authors[i] == FRIENDS[1]}
    assert world.pages.missed == 0
    assert shown == [i for i, _ in await walk(world.slow, 10)]


async def test_a_missing_copy_sends_the_page_the_slow_way_which_keeps_it_again():
    world = World()
    expected = await walk(world.slow, 20)
    await world.copies.counts_changed([1390])
    await world.copies.viewer_changed(READER)
    await world.posts.drop(CELEBRITY)
    assert await walk(world.warm, 20) == expected
    assert world.pages.missed > 0
    world.pages.missed = 0
    assert await walk(world.warm, 20) == expected
    assert world.pages.missed == 0


async def test_a_reader_not_yet_known_is_asked_of_the_graph():
    world = World()
    assert await walk(world.warm, 20) == await walk(world.slow, 20)
    assert world.pages.missed >= 1


@pytest.mark.parametrize("size", [7, 20])
async def test_below_the_end_of_a_trimmed_author_list_the_page_goes_the_slow_way_and_shows_the_same(size):
    world = World(celebrity_posts=POSTS_KEPT + 30)  # the kept list holds the newest POSTS_KEPT; storage holds more
    expected = await walk(world.slow, size)
    assert sum(1 for i, _ in expected if world.tweets.authors[i] == CELEBRITY) == POSTS_KEPT + 30
    world.pages.served = world.pages.missed = 0
    assert await walk(world.warm, size) == expected
    assert world.pages.served > 0 and world.pages.missed > 0


@pytest.mark.parametrize("size", [3, 10])
@pytest.mark.parametrize("hidden", [HiddenAccounts(muted=frozenset({FRIENDS[1]})), HiddenAccounts(blocked=frozenset({CELEBRITY, FRIENDS[1]}))],
                         ids=["muted-friend", "blocked-celebrity-and-friend"])  # fmt: skip
async def test_hidden_authors_and_retweets_of_them_are_left_out_both_ways(size, hidden):
    world = World()
    await walk(world.slow, size)
    await world.hidden_copies.put(READER, hidden)
    world.pages.missed = 0
    warm_shown = [i for i, _ in await walk(world.warm, size)]
    assert world.pages.missed == 0
    assert warm_shown == [i for i, _ in await walk(world.slow, size)]
    assert not {i for i in warm_shown if world.tweets.authors[i] in hidden.on(Surface.HOME)}
    assert 1033 not in warm_shown  # a friend's retweet of FRIENDS[1]'s 1030


async def test_a_tweet_posted_after_the_readers_states_were_kept_shows_warm_with_none_of_theirs():
    world = World()
    await walk(world.slow, 20)  # keeps the reader's states, born now
    fresh = world.tweets.post(FRIENDS[0], first_id_at(wall_clock_ms() + 60_000))  # posted after them (ids run ahead of a clock 2 s behind)
    await world.timelines.add([READER], [fresh])
    await world.copies.keep_cards(None, [fresh], {fresh: (await world.tweets.hydrate(None, [fresh]))[0]})  # another reader's read kept its card
    world.pages.missed = 0
    first = await world.warm.home(READER, PageRequest(20, None))
    assert (first.items[0].tweet_id, first.items[0].viewer) == (fresh, 0) and world.pages.missed == 0
    world.tweets.likes.add((READER, fresh))
    await world.copies.viewer_changed(READER)
    assert [(t, liked) for t, liked in await walk(world.warm, 20) if t == fresh] == [(fresh, True)]
