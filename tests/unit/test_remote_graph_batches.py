"""RemoteGraph's follower lookups made side by side leave as one batch RPC, cut where the graph's limits fall."""

import asyncio

from chirp.graph.v1 import graph_service_pb2 as pb
from services.common.kernel.pagination import Page, PageRequest
from services.graph.remote import RemoteGraph

FOLLOWERS = {1: [11, 12, 13], 2: [21]}


class RecordingGraph:
    """The two batch RPCs over FOLLOWERS, recording the requests each call carried."""

    def __init__(self):
        self.pages: list[list[tuple[int, int, str]]] = []
        self.questions: list[list[tuple[int, list[int]]]] = []

    async def BatchListFollowerIds(self, request: pb.BatchListFollowerIdsRequest, timeout: float):
        self.pages.append([(r.user_id, r.page_size, r.page_token) for r in request.requests])
        await asyncio.sleep(0)
        return pb.BatchListFollowerIdsResponse(responses=[self._page(r) for r in request.requests])

    async def BatchListFollowersAmong(self, request: pb.BatchListFollowersAmongRequest, timeout: float):
        self.questions.append([(r.followee_id, list(r.candidate_ids)) for r in request.requests])
        await asyncio.sleep(0)
        answers = [[c for c in r.candidate_ids if c in FOLLOWERS.get(r.followee_id, [])] for r in request.requests]
        return pb.BatchListFollowersAmongResponse(responses=[pb.ListFollowersAmongResponse(follower_ids=a) for a in answers])

    @staticmethod
    def _page(request: pb.ListFollowerIdsRequest) -> pb.ListFollowerIdsResponse:
        start = int(request.page_token or 0)
        ids = FOLLOWERS.get(request.user_id, [])
        more = start + request.page_size < len(ids)
        return pb.ListFollowerIdsResponse(
            follower_ids=ids[start : start + request.page_size], next_page_token=str(start + request.page_size) if more else ""
        )


class NoChannel:
    def unary_unary(self, *args, **kwargs):
        return None


def remote_over(stub: RecordingGraph) -> RemoteGraph:
    graph = RemoteGraph(NoChannel())
    graph._stub = stub
    return graph


async def test_pages_asked_for_together_leave_in_one_call_and_each_gets_its_own():
    stub = RecordingGraph()
    graph = remote_over(stub)
    asked = [(1, PageRequest(2)), (2, PageRequest(2)), (1, PageRequest(2, "2")), (1, PageRequest(2))]
    pages = await asyncio.gather(*(graph.follower_ids(user_id, page) for user_id, page in asked))
    assert pages == [Page([11, 12], "2"), Page([21], None), Page([13], None), Page([11, 12], "2")]
    assert stub.pages == [[(1, 2, ""), (2, 2, ""), (1, 2, "2")]]  # the same page asked twice goes once


async def test_questions_asked_together_leave_in_one_call():
    stub = RecordingGraph()
    graph = remote_over(stub)
    answers = await asyncio.gather(graph.followers_among(1, [11, 21, 13]), graph.followers_among(2, [11, 21]))
    assert answers == [{11, 13}, {21}]
    assert stub.questions == [[(1, [11, 21, 13]), (2, [11, 21])]]


async def test_a_batch_over_the_graph_s_limits_is_cut_into_calls_it_takes():
    stub = RecordingGraph()
    graph = remote_over(stub)
    await asyncio.gather(*(graph.follower_ids(user_id, PageRequest(10_000)) for user_id in range(1, 13)))
    assert [len(call) for call in stub.pages] == [10, 2]  # 100,000 ids at most in one call
    await asyncio.gather(*(graph.followers_among(1, list(range(n * 60_000, (n + 1) * 60_000))) for n in range(3)))
    assert [len(call) for call in stub.questions] == [1, 1, 1]  # 100,000 candidates at most in one call
