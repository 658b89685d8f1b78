"""Who-to-follow's ports, one suite per port, run against every implementation.

CandidateSource (the candidates, and which of them a user follows) on SQLite and PostgreSQL; RankingCache in memory and on
Redis. Unreachable PostgreSQL or Redis fails.
"""

import asyncio

import pytest
from redis.asyncio import Redis

from services.common.kernel.ids import created_at
from services.graph.adapters.memory_rankings import MemoryRankings
from services.graph.adapters.postgres_candidates import PostgresCandidates
from services.graph.adapters.redis_rankings import RedisRankings, ranking_key
from services.graph.adapters.sqlite_candidates import SqliteCandidates
from services.graph.domain import User
from services.graph.suggestions import Candidate, Ranking
from tests.integration.servers import REDIS_URL, flush_test_redis
from tests.integration.test_store_contract import Stores, open_postgres, open_sqlite, sid


@pytest.fixture(params=["sqlite", "postgres"])
def location(request, tmp_path):
    return request.param, tmp_path / "chirp.db" if request.param == "sqlite" else request.getfixturevalue("postgres_dsn")


@pytest.fixture
async def graph(location):
    kind, where = location
    if kind == "sqlite":
        stores = await open_sqlite(where)
        source = SqliteCandidates(stores.graph_db)
    else:
        stores = await open_postgres(where)
        source = PostgresCandidates(stores.graph_db)
    yield stores, source
    await stores.close()


async def made(stores: Stores, follows: dict[int, list[int]]) -> None:
    """Users sid(1)… for every number named, then the follows (follower: followees)."""
    for n in sorted({n for a, bs in follows.items() for n in (a, *bs)}):
        await stores.graph.add_user(User(sid(n), f"u{n}", f"u{n}", created_at(sid(n))))
    for a, bs in follows.items():
        for b in bs:
            await stores.graph.follow(sid(a), sid(b), [])


# 1 follows 2, 3, 4. 10 is followed by all three; 11 and 13 by two each, 13 with more followers (20
# follows it); 12 by one. 2 follows 1 (the user) and 3 follows 4 (already followed): never candidates.
FOLLOWS = {1: [2, 3, 4], 2: [10, 11, 1], 3: [10, 11, 12, 4, 13], 4: [10, 13], 20: [13, 3], 21: [3]}


async def test_candidates_rank_by_followees_following_then_follower_count(graph):
    stores, source = graph
    await made(stores, FOLLOWS)
    found = await source.candidates(sid(1), 100)
    assert [(c.user_id, c.followed_by_count, c.follower_count) for c in found] == [
        (sid(10), 3, 3), (sid(13), 2, 3), (sid(11), 2, 2), (sid(12), 1, 1),
    ]  # fmt: skip


async def test_followed_by_names_the_most_followed_followees_first(graph):
    stores, source = graph
    await made(stores, FOLLOWS)
    found = {c.user_id: c for c in await source.candidates(sid(1), 100)}
    assert found[sid(10)].followed_by == (sid(3), sid(4), sid(2))  # 3 has three followers, 4 two, 2 one
    assert found[sid(12)].followed_by == (sid(3),)


async def test_the_limit_cuts_after_the_tie_break(graph):
    stores, source = graph
    await made(stores, FOLLOWS)
    assert [c.user_id for c in await source.candidates(sid(1), 2)] == [sid(10), sid(13)]  # 11 ties 13 on two


async def test_no_followees_no_candidates(graph):
    stores, source = graph
    await made(stores, {5: [], 6: [7]})
    assert await source.candidates(sid(5), 100) == ()
    assert await source.candidates(sid(7), 100) == ()


async def test_an_unknown_user_has_no_candidates(graph):
    stores, source = graph
    assert await source.candidates(sid(99), 100) == ()


async def test_followed_among_names_the_candidates_the_user_follows_now(graph):
    stores, source = graph
    await made(stores, FOLLOWS)
    assert await source.followed_among(sid(1), [sid(2), sid(4), sid(10), sid(13), sid(99)]) == {sid(2), sid(4)}
    await stores.graph.follow(sid(1), sid(10), [])
    assert await source.followed_among(sid(1), [sid(10), sid(13)]) == {sid(10)}
    assert await source.followed_among(sid(1), []) == set()


@pytest.fixture(params=["memory", "redis"])
async def rankings(request):
    if request.param == "memory":
        yield MemoryRankings(max_kept=3)
        return
    await flush_test_redis()
    redis = Redis.from_url(REDIS_URL)
    yield RedisRankings(redis)
    await redis.aclose()


RANKING = Ranking(1_700_000_000_000, (Candidate(sid(10), 3, 7, (sid(2), sid(3))), Candidate(sid(11), 1, 0)))


async def test_a_ranking_put_is_got_back_whole(rankings):
    assert await rankings.get(sid(1)) is None
    await rankings.put(sid(1), RANKING, 60)
    assert await rankings.get(sid(1)) == RANKING
    assert await rankings.get(sid(2)) is None


async def test_drop_forgets_only_the_users_named(rankings):
    await rankings.put(sid(1), RANKING, 60)
    await rankings.put(sid(2), RANKING, 60)
    assert await rankings.drop([sid(1), sid(3)]) == 1
    assert await rankings.get(sid(1)) is None
    assert await rankings.get(sid(2)) == RANKING


async def test_a_ranking_expires_after_its_ttl(rankings):
    await rankings.put(sid(1), RANKING, 1)
    await asyncio.sleep(1.1)
    assert await rankings.get(sid(1)) is None


async def test_an_empty_ranking_is_kept_as_one(rankings):
    await rankings.put(sid(1), Ranking(5, ()), 60)
    assert await rankings.get(sid(1)) == Ranking(5, ())


async def test_memory_keeps_a_bounded_number_of_users():
    kept = MemoryRankings(max_kept=2)
    for n in (1, 2, 3):
        await kept.put(sid(n), RANKING, 60)
    assert [await kept.get(sid(n)) for n in (1, 2, 3)] == [None, RANKING, RANKING]


def test_the_redis_key_carries_the_user_in_a_hash_tag():
    assert ranking_key(0x1234) == "chirp:suggest:{0000000000001234}"
