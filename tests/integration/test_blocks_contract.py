"""The storage contract for blocks and mutes: the graph store's suite, on every system of record.

The same stores as tests/integration/test_store_contract.py (SQLite,
PostgreSQL, PostgreSQL read through the Redis row cache), through the port only.
"""

import asyncio

from services.common.kernel.events import CelebrityChanged, UserBlocked, UserFollowed, UserMuted, UserUnblocked, UserUnfollowed, UserUnmuted
from services.common.kernel.pagination import PageRequest
from services.graph.domain import HiddenAccounts
from tests.integration import test_store_contract as contract
from tests.integration.test_store_contract import counts, events_in, every_page, register, sid

location, opener, stores = contract.location, contract.opener, contract.stores  # the same stores, as fixtures here


def unfollowed_then_blocked(blocker: int, blocked: int):
    def events_for(removed: list[tuple[int, int]]) -> list:
        return [*(UserUnfollowed(f, e) for f, e in removed), UserBlocked(blocker, blocked)]

    return events_for


async def test_a_block_removes_follows_both_ways_keeps_counts_exact_and_records_each_removal(stores):
    a, b, c = await register(stores, 1, 2, 3)
    for follower, followee in [(a, b), (b, a), (c, a), (c, b)]:
        await stores.graph.follow(follower, followee, [])
    assert await stores.graph.block(a, b, unfollowed_then_blocked(a, b)) is True
    assert not await stores.graph.is_following(a, b) and not await stores.graph.is_following(b, a)
    assert [await counts(stores, u) for u in (a, b, c)] == [(1, 0), (1, 0), (0, 2)]
    assert await events_in(stores.graph_outbox) == [UserUnfollowed(a, b), UserUnfollowed(b, a), UserBlocked(a, b)]
    assert await stores.graph.block(a, b, unfollowed_then_blocked(a, b)) is False
    assert len(await events_in(stores.graph_outbox)) == 3


async def test_no_follow_crosses_a_block_in_either_direction_until_it_is_lifted(stores):
    a, b = await register(stores, 1, 2)
    await stores.graph.block(a, b, unfollowed_then_blocked(a, b))
    assert await stores.graph.is_blocked(a, b) and await stores.graph.is_blocked(b, a)
    assert await stores.graph.follow(a, b, [UserFollowed(a, b)]) is False
    assert await stores.graph.follow(b, a, [UserFollowed(b, a)]) is False
    assert (await counts(stores, a), await counts(stores, b)) == ((0, 0), (0, 0))
    assert await stores.graph.unblock(a, b, [UserUnblocked(a, b)]) is True
    assert await stores.graph.unblock(a, b, [UserUnblocked(a, b)]) is False
    assert not await stores.graph.is_blocked(b, a)
    assert await stores.graph.follow(b, a, [UserFollowed(b, a)]) is True
    assert await events_in(stores.graph_outbox) == [UserBlocked(a, b), UserUnblocked(a, b), UserFollowed(b, a)]


async def test_blocking_or_muting_an_account_that_does_not_exist_stores_nothing(stores):
    (a,) = await register(stores, 1)
    ghost = sid(9)
    assert await stores.graph.block(a, ghost, unfollowed_then_blocked(a, ghost)) is False
    assert await stores.graph.mute(a, ghost, [UserMuted(a, ghost)]) is False
    assert await stores.graph.hidden_accounts(a) == HiddenAccounts(frozenset(), frozenset())
    assert await events_in(stores.graph_outbox) == []


async def test_hidden_accounts_are_blocks_either_way_and_the_viewer_s_own_mutes(stores):
    viewer, blocked, blocker, muted, muter, other = await register(stores, 1, 2, 3, 4, 5, 6)
    await stores.graph.block(viewer, blocked, unfollowed_then_blocked(viewer, blocked))
    await stores.graph.block(blocker, viewer, unfollowed_then_blocked(blocker, viewer))
    assert await stores.graph.mute(viewer, muted, [UserMuted(viewer, muted)]) is True
    assert await stores.graph.mute(viewer, muted, [UserMuted(viewer, muted)]) is False
    await stores.graph.mute(muter, viewer, [UserMuted(muter, viewer)])
    await stores.graph.block(muter, other, unfollowed_then_blocked(muter, other))
    assert await stores.graph.hidden_accounts(viewer) == HiddenAccounts(frozenset({blocked, blocker}), frozenset({muted}))
    assert await stores.graph.hidden_accounts(muter) == HiddenAccounts(frozenset({other}), frozenset({viewer}))
    assert await stores.graph.unmute(viewer, muted, [UserUnmuted(viewer, muted)]) is True
    assert await stores.graph.unmute(viewer, muted, [UserUnmuted(viewer, muted)]) is False
    assert (await stores.graph.hidden_accounts(viewer)).muted == frozenset()
    assert await events_in(stores.graph_outbox, UserMuted) == [UserMuted(viewer, muted), UserMuted(muter, viewer)]
    assert await events_in(stores.graph_outbox, UserUnmuted) == [UserUnmuted(viewer, muted)]


async def test_a_mute_keeps_follows_and_counts(stores):
    a, b = await register(stores, 1, 2)
    await stores.graph.follow(a, b, [])
    await stores.graph.mute(a, b, [UserMuted(a, b)])
    assert await stores.graph.is_following(a, b) and not await stores.graph.is_blocked(a, b)
    assert await counts(stores, b) == (1, 0)


async def test_blocked_and_muted_users_list_latest_first_page_by_page(stores):
    me, *others = await register(stores, 1, 2, 3, 4, 5, 6)
    for other in others:
        await stores.graph.block(me, other, unfollowed_then_blocked(me, other))
        await stores.graph.mute(me, other, [UserMuted(me, other)])
    await stores.graph.unblock(me, others[2], [])
    blocked_pages = await every_page(lambda page: stores.graph.blocked_users(me, page), 2)
    assert [[u.user_id for u in page] for page in blocked_pages] == [[others[4], others[3]], [others[1], others[0]]]
    muted_pages = await every_page(lambda page: stores.graph.muted_users(me, page), 3)
    assert [[u.user_id for u in page] for page in muted_pages] == [others[4:1:-1], others[1::-1]]
    assert (await stores.graph.blocked_users(others[0], PageRequest(10))).items == []


async def test_a_block_that_moves_a_celebrity_below_the_line_records_the_change(stores):
    """Threshold 3 here: a celebrity at 3 followers, and no longer one below 2."""
    star, fan1, fan2, fan3 = await register(stores, 1, 2, 3, 4)
    for fan in (fan1, fan2, fan3):
        await stores.graph.follow(fan, star, [])
    await stores.graph.block(star, fan1, unfollowed_then_blocked(star, fan1))
    await stores.graph.block(fan2, star, unfollowed_then_blocked(fan2, star))
    assert await counts(stores, star) == (1, 0)
    assert not (await stores.graph.get(star)).celebrity
    changes = await events_in(stores.graph_outbox, CelebrityChanged)
    assert [(c.user_id, c.celebrity) for c in changes] == [(star, True), (star, False)]


async def test_deleting_a_user_removes_their_blocks_and_mutes_either_way(stores):
    gone, a, b = await register(stores, 1, 2, 3)
    await stores.graph.block(gone, a, unfollowed_then_blocked(gone, a))
    await stores.graph.block(b, gone, unfollowed_then_blocked(b, gone))
    await stores.graph.mute(a, gone, [])
    await stores.graph.mute(gone, b, [])
    assert await stores.graph.delete_user(gone, lambda followers: []) is True
    assert await stores.graph.hidden_accounts(a) == HiddenAccounts()
    assert await stores.graph.hidden_accounts(b) == HiddenAccounts()
    assert (await stores.graph.blocked_users(b, PageRequest(10))).items == []


async def test_a_block_racing_follows_both_ways_leaves_no_follow_and_exact_counts(stores):
    a, b = await register(stores, 1, 2)
    for _ in range(5):
        await asyncio.gather(
            stores.graph.follow(a, b, []), stores.graph.follow(b, a, []), stores.graph.block(a, b, unfollowed_then_blocked(a, b))
        )
        assert not await stores.graph.is_following(a, b) and not await stores.graph.is_following(b, a)
        assert (await counts(stores, a), await counts(stores, b)) == ((0, 0), (0, 0))
        await stores.graph.unblock(a, b, [])
