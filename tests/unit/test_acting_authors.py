"""The acting authors of concurrent posts are looked up in shared batch calls to the graph."""

import asyncio

import pytest

from services.common.kernel.errors import Unauthenticated
from services.graph.domain import MAX_BATCH_USERS
from services.mesh.authors_from_graph import AuthorsFromGraph
from tests.unit.fakes import FakeGraph


class CountedGraph(FakeGraph):
    def __init__(self, users: range):
        super().__init__()
        self.users = set(users)
        self.batches: list[list[int]] = []

    async def batch_get(self, user_ids):
        self.batches.append(list(user_ids))
        await asyncio.sleep(0)
        return await super().batch_get(user_ids)


async def test_concurrent_authors_share_one_batch_call():
    graph = CountedGraph(range(1, 11))
    directory = AuthorsFromGraph(graph)
    authors = await asyncio.gather(*(directory.acting_author(u) for u in (3, 1, 2, 2, 5)))
    assert [a.user_id for a in authors] == [3, 1, 2, 2, 5]
    assert graph.batches == [[3, 1, 2, 5]]


async def test_batches_stay_within_the_graphs_limit():
    graph = CountedGraph(range(1, 3 * MAX_BATCH_USERS))
    directory = AuthorsFromGraph(graph)
    wanted = list(range(1, 2 * MAX_BATCH_USERS + 2))
    authors = await asyncio.gather(*(directory.acting_author(u) for u in wanted))
    assert [a.user_id for a in authors] == wanted
    assert max(len(batch) for batch in graph.batches) <= MAX_BATCH_USERS and len(graph.batches) == 3


async def test_an_account_that_is_not_there_fails_in_the_graphs_words_alone():
    graph = CountedGraph(range(1, 5))
    directory = AuthorsFromGraph(graph)
    outcomes = await asyncio.gather(directory.acting_author(2), directory.acting_author(99), return_exceptions=True)
    assert outcomes[0].user_id == 2
    assert isinstance(outcomes[1], Unauthenticated) and "99 has no account" in str(outcomes[1])
    assert len(graph.batches) == 1


async def test_a_failed_batch_call_fails_each_lookup_it_carried():
    graph = CountedGraph(range(1, 5))
    graph.batch_get = lambda user_ids: _raise(ConnectionError("graph unreachable"))
    directory = AuthorsFromGraph(graph)
    for outcome in await asyncio.gather(directory.acting_author(1), directory.acting_author(2), return_exceptions=True):
        assert isinstance(outcome, ConnectionError)


async def _raise(error: Exception):
    raise error


@pytest.mark.parametrize("user_id", [0, -1])
async def test_an_impossible_id_has_no_account(user_id):
    with pytest.raises(Unauthenticated):
        await AuthorsFromGraph(CountedGraph(range(1, 5))).acting_author(user_id)


async def test_an_authors_next_posts_ask_the_graph_nothing():
    graph = CountedGraph(range(1, 5))
    directory = AuthorsFromGraph(graph)
    first = await directory.acting_author(2)
    assert await directory.acting_author(2) == first
    assert graph.batches == [[2]]


async def test_a_forgotten_account_is_asked_for_again_and_refused_once_gone():
    graph = CountedGraph(range(1, 5))
    directory = AuthorsFromGraph(graph)
    await directory.acting_author(2)
    graph.users.discard(2)
    directory.forget(2)
    with pytest.raises(Unauthenticated):
        await directory.acting_author(2)
    assert graph.batches == [[2], [2]]


async def test_a_lookup_in_flight_as_the_account_is_forgotten_keeps_nothing():
    graph = CountedGraph(range(1, 5))
    directory = AuthorsFromGraph(graph)
    lookup = asyncio.ensure_future(directory.acting_author(3))
    await asyncio.sleep(0)  # the batch call is out
    directory.forget(3)
    assert (await lookup).user_id == 3  # it was there when asked
    graph.users.discard(3)
    with pytest.raises(Unauthenticated):
        await directory.acting_author(3)
