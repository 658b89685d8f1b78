"""Who to follow, end to end over gRPC: ranking, ties, the reason line, exclusions, freshness.

Runs on the embedded defaults (rankings kept in memory), with Redis, and on
the production backends (PostgreSQL, Redis, RabbitMQ).
"""

import asyncio
from dataclasses import replace

import httpx
import pytest

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from tests.conftest import EVERY_STORE, LiveMesh, acting, as_user, serving, settings_on

pytestmark = pytest.mark.scenario


@pytest.fixture(params=EVERY_STORE)
async def settings(request, tmp_path):
    async with settings_on(request.param, tmp_path) as settings:
        yield settings


async def suggestions(live: LiveMesh, user: int, page_size: int = 0) -> graph_pb.ListSuggestionsResponse:
    request = graph_pb.ListSuggestionsRequest(page_size=page_size)
    return await live.client.graph.ListSuggestions(request, metadata=as_user(user))


async def suggested(live: LiveMesh, user: int) -> list[int]:
    return [s.user.user_id for s in (await suggestions(live, user)).suggestions]


async def world(live: LiveMesh, follows: dict[str, list[str]]) -> dict[str, int]:
    """Registers every handle named and makes the follows (follower: followees)."""
    names = sorted({n for follower, followees in follows.items() for n in (follower, *followees)})
    ids = {name: await live.register(name) for name in names}
    for follower, followees in follows.items():
        for followee in followees:
            await live.follow(ids[follower], ids[followee])
    return ids


# me follows ann, ben and cat. x is followed by all three, y by two; w and z by one each, but w has
# more followers (fan follows it), so it ranks before z. ann follows me, and ben follows cat: neither
# the user nor an account they follow is ever suggested.
GRAPH = {
    "me": ["ann", "ben", "cat"],
    "ann": ["x", "y", "me"],
    "ben": ["x", "y", "z", "cat"],
    "cat": ["x", "w"],
    "fan": ["w", "ann", "ben"],
    "fan2": ["ben"],
}


async def test_ranked_by_followees_following_then_by_follower_count(live: LiveMesh):
    ids = await world(live, GRAPH)
    assert await suggested(live, ids["me"]) == [ids["x"], ids["y"], ids["w"], ids["z"]]


async def test_counts_and_reason_name_the_best_known_followee(live: LiveMesh):
    ids = await world(live, GRAPH)
    found = {s.user.handle: s for s in (await suggestions(live, ids["me"])).suggestions}
    x, y, z = found["x"], found["y"], found["z"]
    assert (x.followed_by_count, y.followed_by_count, z.followed_by_count) == (3, 2, 1)
    assert [u.handle for u in x.followed_by] == ["ben", "ann", "cat"]  # ben has 3 followers, ann 2, cat 2 (ids break ties)
    assert x.reason == "followed by ben and 2 others"
    assert y.reason == "followed by ben and 1 other"
    assert z.reason == "followed by ben"
    assert found["w"].user.follower_count == 2


async def test_page_size_takes_the_best_first(live: LiveMesh):
    ids = await world(live, GRAPH)
    page = await suggestions(live, ids["me"], page_size=2)
    assert [s.user.user_id for s in page.suggestions] == [ids["x"], ids["y"]]
    assert page.staleness_seconds == 0


async def test_nobody_followed_means_no_suggestions(live: LiveMesh):
    ids = await world(live, {"lonely": [], "other": ["lonelier"]})
    assert await suggested(live, ids["lonely"]) == []


async def test_a_follow_updates_the_users_suggestions_at_once(live: LiveMesh):
    ids = await world(live, {**GRAPH, "x": ["q"]})
    assert ids["q"] not in await suggested(live, ids["me"])  # ranked and kept
    await live.follow(ids["me"], ids["x"])
    after = await suggested(live, ids["me"])
    assert ids["x"] not in after and ids["q"] in after
    assert after[0] == ids["y"]


async def test_an_unfollow_updates_them_too(live: LiveMesh):
    ids = await world(live, GRAPH)
    await suggested(live, ids["me"])
    await live.client.graph.UnfollowUser(graph_pb.UnfollowUserRequest(user_id=ids["ben"]), metadata=as_user(ids["me"]))
    assert await suggested(live, ids["me"]) == [ids["x"], ids["w"], ids["y"]]  # z went with ben; w and y tie on 2 followers


async def test_a_followees_new_follow_shows_once_the_ranking_expires(settings):
    async with serving(replace(settings, suggestion_max_age_seconds=1)) as live:
        ids = await world(live, GRAPH)
        newcomer = await live.register("newcomer")
        assert newcomer not in await suggested(live, ids["me"])
        await live.follow(ids["cat"], newcomer)
        kept = await suggestions(live, ids["me"])
        assert newcomer not in [s.user.user_id for s in kept.suggestions]  # the kept ranking, until it expires
        await asyncio.sleep(1.2)
        assert newcomer in await suggested(live, ids["me"])


async def test_a_deleted_account_is_not_suggested(live: LiveMesh):
    ids = await world(live, GRAPH)
    await suggested(live, ids["me"])
    await live.client.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=ids["x"]), metadata=as_user(ids["x"]))
    await live.settle()
    assert await suggested(live, ids["me"]) == [ids["y"], ids["w"], ids["z"]]


async def relate(live: LiveMesh, verb: str, actor: int, user: int) -> None:
    """verb: Block, Unblock, Mute or Unmute, as the acting user."""
    request = getattr(graph_pb, f"{verb}UserRequest")(user_id=user)
    await getattr(live.client.graph, f"{verb}User")(request, metadata=as_user(actor))


async def test_accounts_blocked_either_way_or_muted_are_not_suggested(live: LiveMesh):
    ids = await world(live, GRAPH)
    assert await suggested(live, ids["me"]) == [ids["x"], ids["y"], ids["w"], ids["z"]]  # ranked and kept
    await relate(live, "Block", ids["me"], ids["x"])
    await relate(live, "Block", ids["y"], ids["me"])
    await relate(live, "Mute", ids["me"], ids["w"])
    assert await suggested(live, ids["me"]) == [ids["z"]]


async def test_a_block_or_mute_and_its_undoing_apply_to_the_next_read(live: LiveMesh):
    """Each read before a change keeps the viewer's copy of their hidden accounts; the change still shows at once."""
    ids = await world(live, GRAPH)
    me, everyone = ids["me"], [ids["x"], ids["y"], ids["w"], ids["z"]]
    assert await suggested(live, me) == everyone
    await relate(live, "Mute", me, ids["x"])
    assert await suggested(live, me) == [ids["y"], ids["w"], ids["z"]]
    await relate(live, "Block", ids["w"], me)  # the other way round: hidden from me too
    assert await suggested(live, me) == [ids["y"], ids["z"]]
    await relate(live, "Unmute", me, ids["x"])
    await relate(live, "Unblock", ids["w"], me)
    assert await suggested(live, me) == everyone


async def test_a_muted_followee_is_not_named_in_a_reason(live: LiveMesh):
    ids = await world(live, GRAPH)
    await relate(live, "Mute", ids["me"], ids["ben"])  # still followed: ben's follows still count
    found = {s.user.handle: s for s in (await suggestions(live, ids["me"])).suggestions}
    assert found["x"].followed_by_count == 3 and [u.handle for u in found["x"].followed_by] == ["ann", "cat"]
    assert found["x"].reason == "followed by ann and 2 others"
    assert found["z"].reason == "followed by an account you follow"


async def test_blocking_a_followee_drops_what_only_they_brought(live: LiveMesh):
    ids = await world(live, GRAPH)
    await suggested(live, ids["me"])
    await relate(live, "Block", ids["me"], ids["ben"])  # removes the follow: z came only through ben
    assert await suggested(live, ids["me"]) == [ids["x"], ids["w"], ids["y"]]


async def test_over_rest_for_the_token_holder(live: LiveMesh, rest: httpx.AsyncClient):
    ids = await world(live, GRAPH)
    response = await rest.get("/v1/me/suggestions?pageSize=2", headers=acting(ids["me"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["user"]["handle"] for s in body["suggestions"]] == ["x", "y"]
    assert body["suggestions"][0]["followedByCount"] == "3" and body["suggestions"][0]["reason"] == "followed by ben and 2 others"
    refused = await rest.get("/v1/me/suggestions?pageSize=-1", headers=acting(ids["me"]))
    assert refused.status_code == 400 and "page_size must not be negative" in refused.json()["message"]
    assert (await rest.get("/v1/me/suggestions")).status_code == 401
