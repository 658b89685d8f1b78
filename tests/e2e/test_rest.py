"""Every public endpoint over REST, through a real HTTP client and a real gateway in front of a real mesh."""

import asyncio

import httpx
import pytest

from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from services.gateway.catalog import all_bindings
from services.gateway.openapi import COMMITTED
from services.gateway.routes import Router
from tests.conftest import LiveMesh, acting

ROUTER = Router(all_bindings())
PUBLIC = {binding.rpc for binding in all_bindings()}


class Recorded:
    """The REST client, noting which RPC each call reached, so the test can show it reached all of them."""

    def __init__(self, client: httpx.AsyncClient):
        self.client, self.reached = client, set()

    async def __call__(self, method: str, path: str, expect: int = 200, **kwargs) -> dict:
        response = await self.client.request(method, path, **kwargs)
        assert response.status_code == expect, response.text
        self.reached.add(ROUTER.route(method, path.split("?")[0])[0].rpc)
        return response.json()


async def eventually(read, check, timeout: float = 10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not check(found := await read()):
        assert asyncio.get_running_loop().time() < deadline, found
        await asyncio.sleep(0.1)
    return found


async def test_every_public_endpoint_over_rest(live: LiveMesh, rest: httpx.AsyncClient):
    call = Recorded(rest)
    alice = await call("POST", "/v1/accounts", json={"handle": "alice", "password": "alice's secret", "display_name": "Alice"})
    bob = await call("POST", "/v1/accounts", json={"handle": "bob", "password": "bob's secret", "displayName": "Bob"})
    a, b = alice["userId"], bob["userId"]
    assert isinstance(a, str) and a.isdigit(), "64-bit ids are JSON strings"
    assert [(await call("GET", f"/v1/users/{u}"))["displayName"] for u in (a, b)] == ["Alice", "Bob"]
    assert (await call("GET", f"/v1/users/{a}"))["handle"] == "alice"
    assert (await call("GET", "/v1/handles/bob"))["userId"] == b
    assert [u["handle"] for u in (await call("GET", f"/v1/users:batchGet?user_ids={a}&userIds={b}"))["users"]] == ["alice", "bob"]

    followed = await call("POST", f"/v1/users/{a}:follow", headers=acting(b))
    assert followed["user"]["followerCount"] == "1"
    assert (await call("GET", f"/v1/users/{b}/following/{a}"))["following"] is True
    assert [u["userId"] for u in (await call("GET", f"/v1/users/{a}/followers?page_size=10"))["users"]] == [b]
    assert [u["userId"] for u in (await call("GET", f"/v1/users/{b}/following"))["users"]] == [a]
    assert (await call("GET", "/v1/me/suggestions?pageSize=5", headers=acting(b))).get("suggestions", []) == []  # alice follows nobody

    hello = await call("POST", "/v1/tweets", json={"text": "hello #chirp"}, headers=acting(a))
    tweet_id = hello["tweetId"]
    assert hello["author"]["userId"] == a and hello["likeCount"] == "0"
    reply = await call("POST", "/v1/tweets", json={"text": "hi alice", "inReplyToTweetId": tweet_id}, headers=acting(b))
    assert (await call("GET", f"/v1/tweets/{tweet_id}"))["text"] == "hello #chirp"
    assert [t["tweetId"] for t in (await call("GET", f"/v1/tweets:batchGet?tweet_ids={tweet_id}"))["tweets"]] == [tweet_id]
    assert [t["tweetId"] for t in (await call("GET", f"/v1/tweets/{tweet_id}/replies"))["tweets"]] == [reply["tweetId"]]
    assert (await call("POST", f"/v1/tweets/{tweet_id}:like", headers=acting(b)))["viewerLiked"] is True
    assert (await call("POST", f"/v1/tweets/{tweet_id}:unlike", json={}, headers=acting(b)))["likeCount"] == "0"
    retweet = await call("POST", f"/v1/tweets/{tweet_id}:retweet", headers=acting(b))
    assert retweet["retweetedTweet"]["tweetId"] == tweet_id
    assert await call("POST", f"/v1/tweets/{tweet_id}:undoRetweet", headers=acting(b)) == {}

    await live.settle()
    home = await call("GET", "/v1/timelines/home?pageSize=5", headers=acting(b))
    assert tweet_id in [t["tweetId"] for t in home["tweets"]] and "nextPageToken" in home
    assert [t["tweetId"] for t in (await call("GET", f"/v1/users/{a}/tweets"))["tweets"]] == [tweet_id]
    found = await eventually(lambda: call("GET", "/v1/tweets:search?query=hello&order=SEARCH_ORDER_RELEVANCE"), lambda r: r["tweets"])
    assert found["tweets"][0]["tweetId"] == tweet_id
    assert (await call("GET", "/v1/search:status"))["state"] == "SEARCH_INDEX_STATE_READY"
    assert set(await call("GET", "/v1/fanout/status")) >= {"queueDepth", "eventsProcessed", "timelineWrites"}
    assert (await call("GET", "/v1/trends/hashtags?window_minutes=60"))["windowMinutes"] == 60

    assert set(await call("GET", f"/v1/ids/{tweet_id}:decode")) == {"createTime", "workerId", "sequence"}

    assert await call("POST", f"/v1/users/{a}:unfollow", headers=acting(b)) == {"user": followed["user"] | {"followerCount": "0"}}
    assert await call("DELETE", f"/v1/tweets/{reply['tweetId']}", headers=acting(b)) == {}
    assert await call("DELETE", f"/v1/users/{b}", headers=acting(b)) == {}
    await call("GET", f"/v1/users/{b}", expect=404)

    carol = await call("POST", "/v1/accounts", json={"handle": "carol", "password": "correct horse 1"})
    await call("GET", "/v1/handles/carol")
    session = (await call("POST", "/v1/sessions", json={"handle": "carol", "password": "correct horse 1"}))["session"]
    as_carol = {"Authorization": f"Bearer {session['accessToken']}"}
    assert (await call("POST", "/v1/tweets", json={"text": "by token"}, headers=as_carol))["author"]["userId"] == carol["userId"]
    session = (await call("POST", "/v1/sessions:refresh", json={"refreshToken": session["refreshToken"]}))["session"]
    as_carol = {"Authorization": f"Bearer {session['accessToken']}"}
    changed = {"currentPassword": "correct horse 1", "newPassword": "battery staple 2"}
    assert await call("POST", "/v1/accounts/me:changePassword", json=changed, headers=as_carol) == {}
    session = (await call("POST", "/v1/sessions", json={"handle": "carol", "password": "battery staple 2"}))["session"]
    assert await call("POST", "/v1/sessions:logout", json={"refreshToken": session["refreshToken"]}) == {}
    assert (await call("GET", "/.well-known/jwks.json"))["keys"][0]["alg"] == "EdDSA"

    dave = (await call("POST", "/v1/accounts", json={"handle": "dave", "password": "dave's secret"}))["userId"]
    for verb in ("block", "mute"):
        assert await call("POST", f"/v1/users/{dave}:{verb}", json={}, headers=acting(a)) == {}
    assert [u["userId"] for u in (await call("GET", "/v1/me/blocked?page_size=5", headers=acting(a)))["users"]] == [dave]
    assert [u["handle"] for u in (await call("GET", "/v1/me/muted", headers=acting(a)))["users"]] == ["dave"]
    for verb in ("unblock", "unmute"):
        assert await call("POST", f"/v1/users/{dave}:{verb}", json={}, headers=acting(a)) == {}
    assert (await call("GET", "/v1/me/blocked", headers=acting(a))).get("users", []) == []
    listed = await call("GET", "/v1/me/notifications?page_size=5", headers=acting(a))
    assert all("readMarker" in n for n in listed.get("notifications", []))
    assert set(await call("GET", "/v1/me/notifications:unreadCount", headers=acting(a))) <= {"unreadCount"}
    assert set(await call("POST", "/v1/me/notifications:markRead", json={}, headers=acting(a))) <= {"unreadCount"}
    assert call.reached == PUBLIC


async def test_no_profile_and_no_id_is_made_at_the_edge(rest: httpx.AsyncClient):
    for path, body in (("/v1/users", {"handle": "squatter"}), ("/v1/ids:next", {}), ("/v1/ids:batchNext", {"count": 3})):
        response = await rest.post(path, json=body)
        assert response.status_code in (404, 405) and response.json()["code"] in (5, 12), response.text
    assert (await rest.get("/v1/handles/squatter")).status_code == 404


async def test_internal_rpcs_have_no_route(rest: httpx.AsyncClient):
    assert {"/chirp.graph.v1.GraphService/ListFollowerIds", "/chirp.tweet.v1.TweetService/ScanTweets"}.isdisjoint(PUBLIC)
    for path in ("/chirp.tweet.v1.TweetService/ScanTweets", "/v1/tweets:scan", "/v1/users/1/followerIds"):
        response = await rest.post(path, json={})
        assert response.status_code == 404 and response.json()["code"] == 5


@pytest.mark.parametrize(
    "method, path, kwargs, status, code, fragment",
    [
        ("GET", "/v1/nowhere", {}, 404, 5, "no method is bound"),
        ("PUT", "/v1/tweets/1", {}, 405, 12, "takes DELETE, GET"),
        ("POST", "/v1/accounts", {"content": b'{"handle": '}, 400, 3, "not valid JSON"),
        ("POST", "/v1/accounts", {"content": b"[]"}, 400, 3, "JSON object"),
        ("GET", "/v1/users/abc", {}, 400, 3, "user_id"),
        ("GET", "/v1/users/1/followers?pageSize=ten", {}, 400, 3, "page_size"),
        ("GET", "/v1/users/1/followers?colour=red", {}, 400, 3, "'colour' names no field"),
        ("POST", "/v1/accounts", {"content": b"x" * (1 << 20 + 1)}, 413, 8, "over the gateway's limit"),
        ("GET", "/v1/users/123", {"headers": {"Grpc-Timeout": "soon"}}, 400, 3, "Grpc-Timeout"),
        ("GET", "/v1/users/987654321", {}, 404, 5, "no user has id 987654321"),
        ("POST", "/v1/tweets", {"json": {"text": "hi"}}, 401, 16, "this call acts for a user"),
    ],
)
async def test_refusals_are_json_statuses_with_grpc_gateway_codes(rest, method, path, kwargs, status, code, fragment):
    response = await rest.request(method, path, **kwargs)
    assert response.status_code == status and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["code"] == code and fragment in body["message"] and isinstance(body["details"], list)
    if status == 405:
        assert response.headers["allow"] == "DELETE, GET"


async def test_a_forged_chirp_user_id_header_is_stripped(live: LiveMesh, rest: httpx.AsyncClient):
    alice = await live.register("alice")
    response = await rest.post("/v1/tweets", json={"text": "forged"}, headers={"chirp-user-id": str(alice), "Grpc-Metadata-Chirp-User-Id": str(alice)})
    assert response.status_code == 401 and response.json()["code"] == 16
    assert (await live.client.tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=alice))).tweets == []


async def test_the_openapi_document_is_served_and_is_the_committed_one(rest: httpx.AsyncClient):
    response = await rest.get("/openapi.json")
    assert response.status_code == 200 and response.content == COMMITTED.read_bytes()
