"""The NotificationStore contract: one suite, run against SQLite (embedded) and PostgreSQL (mesh mode)."""

import pytest

from services.common.storage.postgres import PostgresDatabase
from services.common.storage.sqlite import Database
from services.common.storage.transactions import PostgresTransactions, SqliteTransactions
from services.notification.adapters.schema import POSTGRES_MIGRATIONS, SQLITE_SCHEMA
from services.notification.adapters.sql_store import SqlNotificationStore
from services.notification.domain import KEPT_ACTORS, Activity, Kind, TweetGone, Undo, UserGone
from tests.integration.servers import fresh_postgres_database

WINDOW = 60_000
T0 = 1_780_000_000_000  # ms, at the start of a window
ALICE, TWEET = 1, 500


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request, tmp_path):
    if request.param == "sqlite":
        db = await Database.open(tmp_path / "notifications.db")
        await db.apply_schema(SQLITE_SCHEMA)
        yield SqlNotificationStore(SqliteTransactions(db))
        await db.close()
        return
    async with fresh_postgres_database() as dsn:
        db = await PostgresDatabase.open(dsn, "notification", POSTGRES_MIGRATIONS)
        yield SqlNotificationStore(PostgresTransactions(db))
        await db.close()


def like(actor: int, at: int = 0, tweet: int = TWEET, recipient: int = ALICE) -> Activity:
    return Activity(recipient, Kind.LIKE, tweet, actor, 0, T0 + at)


async def add(store, *activities: Activity) -> None:
    await store.apply(list(activities), WINDOW)


async def undo(store, actor: int, counted: bool = True) -> None:
    await store.apply([Undo(ALICE, Kind.LIKE, TWEET, actor, counted)], WINDOW)


async def groups(store, recipient: int = ALICE):
    return await store.page(recipient, None, 100)


async def test_actors_of_one_kind_on_one_target_in_a_window_make_one_group_with_an_exact_count(store):
    await add(store, *(like(actor, at=actor) for actor in (10, 11, 12)))
    [group] = await groups(store)
    assert (group.kind, group.subject_id, group.actor_count) == (Kind.LIKE, TWEET, 3)
    assert group.actor_ids == (12, 11, 10)  # newest first
    assert (group.first_at_ms, group.last_at_ms) == (T0 + 10, T0 + 12)


async def test_adding_a_kept_actor_again_changes_nothing(store):
    await add(store, like(10))
    await add(store, like(10, at=5), like(10, at=6))
    assert [(g.actor_count, g.last_at_ms) for g in await groups(store)] == [(1, T0)]


async def test_another_window_kind_or_target_opens_another_group(store):
    await add(store, like(10))
    await add(store, like(11, at=WINDOW))  # the next window
    await add(store, like(12, tweet=TWEET + 1))
    await add(store, Activity(ALICE, Kind.FOLLOW, 0, 13, 0, T0 + 1))
    assert len(await groups(store)) == 4


async def test_storage_stays_bounded_however_many_act_yet_the_count_is_exact(store):
    for actor in range(KEPT_ACTORS + 30):
        await add(store, like(1000 + actor, at=actor))
    [group] = await groups(store)
    assert group.actor_count == KEPT_ACTORS + 30
    assert len(group.actor_ids) == KEPT_ACTORS and group.actor_ids[0] == 1000 + KEPT_ACTORS + 29  # the newest kept


async def test_undo_takes_a_kept_actor_out_and_a_group_left_empty_goes(store):
    await add(store, like(10))
    await add(store, like(11, at=1))
    await undo(store, 10)
    assert [(g.actor_count, g.actor_ids) for g in await groups(store)] == [(1, (11,))]
    await undo(store, 10)  # twice: nothing more
    assert [(g.actor_count, g.actor_ids) for g in await groups(store)] == [(1, (11,))]
    await undo(store, 11)
    assert await groups(store) == []


async def test_undo_beyond_the_kept_actors_counts_down_only_when_asked(store):
    for actor in range(KEPT_ACTORS + 2):
        await add(store, like(1000 + actor, at=actor))
    await undo(store, 1000, counted=False)  # no longer kept, and not counted: nothing to take out
    assert [g.actor_count for g in await groups(store)] == [KEPT_ACTORS + 2]
    await undo(store, 1000)
    assert [g.actor_count for g in await groups(store)] == [KEPT_ACTORS + 1]


async def test_removing_what_a_tweet_caused_or_is_about(store):
    await add(store, Activity(ALICE, Kind.REPLY, TWEET, 10, 900, T0))
    await add(store, Activity(ALICE, Kind.REPLY, TWEET, 11, 901, T0 + 1))
    await add(store, like(12))
    await add(store, Activity(ALICE, Kind.FOLLOW, 0, 13, 0, T0))
    await store.apply([TweetGone(900)], WINDOW)  # a deleted reply
    assert sorted((g.kind, g.actor_count) for g in await groups(store)) == [(Kind.REPLY, 1), (Kind.LIKE, 1), (Kind.FOLLOW, 1)]
    await store.apply([TweetGone(TWEET)], WINDOW)  # the tweet itself
    assert [g.kind for g in await groups(store)] == [Kind.FOLLOW]


async def test_removing_a_user_drops_their_groups_and_takes_them_out_of_others(store):
    await add(store, like(10))
    await add(store, like(11, at=1))
    await add(store, like(ALICE, recipient=10))
    await store.apply([UserGone(10)], WINDOW)
    assert await groups(store, 10) == []
    assert [(g.actor_count, g.actor_ids) for g in await groups(store)] == [(1, (11,))]


async def test_pages_run_newest_first_below_a_position(store):
    for n in range(5):
        await add(store, like(10, at=n * 10, tweet=TWEET + n))
    first = await store.page(ALICE, None, 2)
    assert [g.subject_id for g in first] == [TWEET + 4, TWEET + 3]
    rest = await store.page(ALICE, first[-1].position, 10)
    assert [g.subject_id for g in rest] == [TWEET + 2, TWEET + 1, TWEET]


async def test_a_new_actor_moves_the_group_to_the_top(store):
    await add(store, like(10, tweet=TWEET))
    await add(store, like(10, at=5, tweet=TWEET + 1))
    await add(store, like(11, at=9, tweet=TWEET))
    assert [g.subject_id for g in await groups(store)] == [TWEET, TWEET + 1]


async def test_the_read_position_counts_unread_and_never_moves_back(store):
    for n in range(3):
        await add(store, like(10, at=n, tweet=TWEET + n))
    assert await store.read_position(ALICE) == -1
    assert await store.count_unread(ALICE) == 3
    middle = (await groups(store))[1].position
    await store.mark_read(ALICE, middle)
    assert await store.count_unread(ALICE) == 1
    assert [g.subject_id for g in await store.unread(ALICE, 10)] == [TWEET + 2]
    await store.mark_read(ALICE, 0)
    assert await store.read_position(ALICE) == middle
    await add(store, like(11, at=50, tweet=TWEET))  # an older group with a new actor is unread again
    assert await store.count_unread(ALICE) == 2


async def test_a_batch_applies_in_order_as_one(store):
    await store.apply([like(10), like(11, at=1), Undo(ALICE, Kind.LIKE, TWEET, 10), like(10, at=2), like(12, at=3)], WINDOW)
    [group] = await groups(store)
    assert (group.actor_count, group.actor_ids) == (3, (12, 10, 11))


async def test_a_burst_in_one_batch_counts_each_actor_once_and_keeps_the_newest(store):
    burst = [like(1000 + n, at=n) for n in range(KEPT_ACTORS + 10)]
    await store.apply([*burst, like(1000, at=999), like(1001, at=999)], WINDOW)
    await store.apply(burst[-5:], WINDOW)  # delivered again, while kept
    [group] = await groups(store)
    assert group.actor_count == KEPT_ACTORS + 10
    assert group.actor_ids == tuple(1000 + n for n in reversed(range(10, KEPT_ACTORS + 10)))
    assert await store.stored_rows(ALICE) == (1, KEPT_ACTORS)
