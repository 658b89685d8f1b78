"""Visibility's rules per surface, the copies' layout, and pages refilled after filtering, bounded."""

import pytest

from services.common.kernel.pagination import Page, PageRequest
from services.common.visibility.copies import MemoryHiddenCopies
from services.common.visibility.pages import MAX_FETCHES, full_page
from services.common.visibility.redis_layout import hidden_key, pack_hidden, unpack_hidden
from services.common.visibility.rules import NOTHING_HIDDEN, HiddenAccounts, Surface

HIDDEN = HiddenAccounts(blocked=frozenset({1, 2}), muted=frozenset({3}))


@pytest.mark.parametrize("surface", list(Surface))
def test_blocks_hide_everywhere_and_mutes_only_from_home_notifications_and_suggestions(surface):
    mutes_apply = surface in (Surface.HOME, Surface.NOTIFICATIONS, Surface.SUGGESTIONS)
    assert HIDDEN.on(surface) == ({1, 2, 3} if mutes_apply else {1, 2})
    assert not HIDDEN.shows(surface, (9, 1))  # a retweet of a blocked account's tweet
    assert HIDDEN.shows(surface, (9, 3)) is not mutes_apply
    assert NOTHING_HIDDEN.shows(surface, (1, 2, 3))


def test_a_profile_blocked_either_way_shows_nothing_and_a_muted_one_shows():
    assert not HIDDEN.shows_profile_of(2) and HIDDEN.shows_profile_of(3) and HIDDEN.shows_profile_of(9)


def test_the_copy_round_trips_through_its_packed_layout():
    big = HiddenAccounts(blocked=frozenset({2**63 - 1, 5}), muted=frozenset({7}))
    for hidden in (HIDDEN, big, NOTHING_HIDDEN):
        assert unpack_hidden(pack_hidden(hidden)) == hidden
    assert len(pack_hidden(NOTHING_HIDDEN)) == 4 and hidden_key(255) == "chirp:hidden:{00000000000000ff}"


async def test_a_memory_copy_written_stays_over_a_fill_and_a_fill_lands_only_where_none_is():
    copies = MemoryHiddenCopies()
    await copies.fill(1, NOTHING_HIDDEN)
    await copies.fill(1, HIDDEN)
    assert await copies.get(1) == NOTHING_HIDDEN
    await copies.put(1, HIDDEN)
    await copies.fill(1, NOTHING_HIDDEN)
    assert await copies.get(1) == HIDDEN and await copies.get(2) is None


def numbers(hidden: set[int], end: int = 100):
    """A list of 1..end, newest (largest) first, paged by cursor; fetches counted."""
    asked: list[PageRequest] = []

    async def fetch(page: PageRequest) -> Page[int]:
        asked.append(page)
        below = [n for n in range(end, 0, -1) if page.cursor is None or n < page.cursor][: page.size]
        more = below and below[-1] > 1
        return Page(below, below[-1] if more else None)

    return fetch, asked, lambda n: n not in hidden


async def test_a_page_filtered_down_is_filled_from_after_where_it_stopped():
    fetch, asked, shows = numbers({100, 99, 97, 96})
    page = await full_page(fetch, PageRequest(3), shows)
    assert page.items == [98, 95, 94] and page.next_cursor == 94
    assert [(p.size, p.cursor) for p in asked] == [(3, None), (2, 98), (2, 96)]


async def test_the_last_page_ends_the_list_even_when_short():
    fetch, asked, shows = numbers({2, 1}, end=5)
    page = await full_page(fetch, PageRequest(4), shows)
    assert page.items == [5, 4, 3] and page.next_cursor is None


async def test_after_ten_fetches_a_page_comes_back_short_with_its_cursor_so_the_list_goes_on():
    fetch, asked, shows = numbers(set(range(100, 40, -1)))
    page = await full_page(fetch, PageRequest(5), shows)
    assert len(asked) == MAX_FETCHES == 10 and page.items == [] and page.next_cursor == 51
    rest = await full_page(fetch, PageRequest(5, page.next_cursor), shows)
    assert rest.items == [40, 39, 38, 37, 36]
