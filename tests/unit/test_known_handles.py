"""Notification's kept handles: Graph is asked once per account, at most `capacity` are kept, and a
listing pairs each actor with its own handle when one of them no longer exists."""

import asyncio

from services.notification.known_handles import KnownHandles


class CountingHandles:
    def __init__(self, existing: dict[int, str]):
        self.existing, self.asked = existing, []

    async def user_ids(self, handles):
        return [u for u, h in self.existing.items() if h in handles]

    async def handles(self, user_ids):
        self.asked.append(list(user_ids))
        return {u: self.existing[u] for u in user_ids if u in self.existing}


def test_each_account_is_asked_for_once():
    graph = CountingHandles({1: "alice", 2: "bob", 3: "carol"})
    known = KnownHandles(graph)
    assert asyncio.run(known.handles([1, 2])) == {1: "alice", 2: "bob"}
    assert asyncio.run(known.handles([2, 3])) == {2: "bob", 3: "carol"}
    assert graph.asked == [[1, 2], [3]]


def test_an_unknown_account_is_left_out_and_asked_again():
    graph = CountingHandles({1: "alice"})
    known = KnownHandles(graph)
    assert asyncio.run(known.handles([1, 9])) == {1: "alice"}
    assert asyncio.run(known.handles([9])) == {}
    assert graph.asked == [[1, 9], [9]]


def test_the_earliest_learned_go_beyond_capacity():
    graph = CountingHandles({n: f"user{n}" for n in range(10)})
    known = KnownHandles(graph, capacity=3)
    asyncio.run(known.handles([0, 1, 2, 3, 4]))
    graph.asked.clear()
    assert asyncio.run(known.handles([2, 3, 4])) == {2: "user2", 3: "user3", 4: "user4"}
    assert graph.asked == []
    asyncio.run(known.handles([0]))
    assert graph.asked == [[0]]


def test_a_listing_pairs_each_actor_with_its_own_handle_when_one_no_longer_exists():
    from services.common.kernel.pagination import PageRequest
    from services.common.visibility.rules import HiddenAccounts
    from services.notification.domain import Group, Kind
    from services.notification.service import NotificationService

    group = Group(1, 7, Kind.LIKE, 100, 3, 0, 0, 1 << 20, (1, 2, 3))  # actor 2's account is gone, not yet handled

    class OneGroup:
        async def page(self, recipient_id, before, limit):
            return [group] if before is None else []

        async def read_position(self, recipient_id):
            return -1

    class NobodyHidden:
        async def hidden_from(self, user_id):
            return HiddenAccounts()

    service = NotificationService(OneGroup(), None, CountingHandles({1: "alice", 3: "carol"}), NobodyHidden(), 60_000, lambda: 0)
    listed = asyncio.run(service.list(7, PageRequest(20, None))).items[0]
    assert listed.actors == [(1, "alice"), (3, "carol")]
    assert listed.summary == "alice and 2 others liked your tweet"
