"""What an operator types: the real grpcurl binary against the mesh run as a real process.

Each command is the one the README shows, with the mesh's address in
place of 127.0.0.1:50051; JSON fields keep their proto names (grpcurl's default).
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import grpc
from grpc_reflection.v1alpha import reflection_pb2

from services.registry import SERVICES
from tests.e2e.mesh_process import MeshProcess, clean_env

GRPCURL = Path(sys.executable).parent / "grpcurl"
CALL_TIMEOUT_SECONDS = 30
CHIRP_SERVICES = {entry.contract.full_name for entry in SERVICES}
OPERATOR_SERVICES = {"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"}


def grpcurl(mesh: MeshProcess, *command: str, flags: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """`grpcurl -plaintext FLAGS ADDR COMMAND...`: flags go before the address."""
    argv = [str(GRPCURL), "-plaintext", *flags, mesh.target, *command]
    return subprocess.run(argv, env=clean_env(), capture_output=True, text=True, timeout=CALL_TIMEOUT_SECONDS)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def call(mesh: MeshProcess, method: str, body: dict, token: str | None = None) -> dict:
    """`grpcurl -plaintext [-H 'authorization: Bearer TOKEN'] -d '{...}' ADDR method`, its JSON reply."""
    header = ["-H", f"authorization: Bearer {token}"] if token else []
    return json.loads(ok(grpcurl(mesh, method, flags=(*header, "-d", json.dumps(body)))))


def register_and_log_in(mesh: MeshProcess, handle: str) -> tuple[str, str]:
    """The user's id and an access token, as the README's operator section gets them."""
    account = call(mesh, "chirp.account.v1.AccountService/CreateAccount", {"handle": handle, "password": "a long password"})
    session = call(mesh, "chirp.account.v1.AccountService/CreateSession", {"handle": handle, "password": "a long password"})
    assert session["session"]["user_id"] == account["user_id"]
    return account["user_id"], session["session"]["access_token"]


def test_the_binary_is_the_real_grpcurl():
    version = subprocess.run([str(GRPCURL), "-version"], capture_output=True, text=True, timeout=CALL_TIMEOUT_SECONDS)
    assert version.returncode == 0 and version.stderr.startswith("grpcurl v1.8.6")  # it prints to stderr


def test_list_shows_every_chirp_service_health_and_both_reflection_versions(mesh: MeshProcess):
    listed = set(ok(grpcurl(mesh, "list")).split())
    assert listed == CHIRP_SERVICES | OPERATOR_SERVICES


def test_describe_shows_the_tweet_service_and_its_rest_rules(mesh: MeshProcess):
    described = ok(grpcurl(mesh, "describe", "chirp.tweet.v1.TweetService"))
    assert described.startswith("chirp.tweet.v1.TweetService is a service:")
    assert "rpc CreateTweet ( .chirp.tweet.v1.CreateTweetRequest ) returns ( .chirp.tweet.v1.CreateTweetResponse )" in described
    assert 'post:"/v1/tweets"' in described


def test_describe_resolves_every_listed_service_v1_reflection_included(mesh: MeshProcess):
    described = ok(grpcurl(mesh, "describe"))
    for name in CHIRP_SERVICES | OPERATOR_SERVICES:
        assert f"{name} is a service:" in described
    assert "stream .grpc.reflection.v1.ServerReflectionRequest" in described


def test_health_check_reports_each_service_serving(mesh: MeshProcess):
    for name in ["", *CHIRP_SERVICES]:
        assert call(mesh, "grpc.health.v1.Health/Check", {"service": name}) == {"status": "SERVING"}, name


def test_an_authenticated_call_posts_and_the_follower_reads_it_at_home(mesh: MeshProcess):
    alice, alice_token = register_and_log_in(mesh, "grpcurl_alice")
    bob, bob_token = register_and_log_in(mesh, "grpcurl_bob")
    assert alice.isdigit()  # 64-bit ids are JSON strings
    followed = call(mesh, "chirp.graph.v1.GraphService/FollowUser", {"user_id": alice}, token=bob_token)
    assert followed["user"]["user_id"] == alice and followed["user"]["follower_count"] == "1"
    tweet = call(mesh, "chirp.tweet.v1.TweetService/CreateTweet", {"text": "hello from grpcurl #ops"}, token=alice_token)
    assert tweet["tweet"]["text"] == "hello from grpcurl #ops"
    assert tweet["tweet"]["author"]["user_id"] == alice
    home = {}
    for _ in range(50):  # fan-out is asynchronous
        home = call(mesh, "chirp.timeline.v1.TimelineService/ListHomeTimeline", {"page_size": 10}, token=bob_token)
        if home.get("tweets"):
            break
        time.sleep(0.1)
    assert [t["tweet_id"] for t in home["tweets"]] == [tweet["tweet"]["tweet_id"]]


def test_a_call_without_a_token_is_unauthenticated(mesh: MeshProcess):
    result = grpcurl(mesh, "chirp.tweet.v1.TweetService/CreateTweet", flags=("-d", json.dumps({"text": "who am I"})))
    assert result.returncode != 0
    assert "Code: Unauthenticated" in result.stderr
    assert "authorization: Bearer" in result.stderr


def test_a_forged_user_header_is_not_trusted(mesh: MeshProcess):
    victim, _ = register_and_log_in(mesh, "grpcurl_victim")
    flags = ("-H", f"chirp-user-id: {victim}", "-d", json.dumps({"text": "not really the victim"}))
    result = grpcurl(mesh, "chirp.tweet.v1.TweetService/CreateTweet", flags=flags)
    assert result.returncode != 0 and "Code: Unauthenticated" in result.stderr


def test_the_public_keys_are_published(mesh: MeshProcess):
    keys = call(mesh, "chirp.account.v1.AccountService/ListPublicKeys", {})["keys"]
    assert [(k["kty"], k["crv"], k["alg"]) for k in keys] == [("OKP", "Ed25519", "EdDSA")] and keys[0]["kid"]


def test_v1_reflection_answers_the_process_as_newer_grpcurl_asks_first(mesh: MeshProcess):
    """grpcurl 1.8.6 speaks v1alpha only; grpcurl 1.8.8 and later ask v1 first. v1 shares v1alpha's field numbers."""
    with grpc.insecure_channel(mesh.target) as channel:
        info = channel.stream_stream(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
        )
        (response,) = info(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=CALL_TIMEOUT_SECONDS)
    assert {s.name for s in response.list_services_response.service} == CHIRP_SERVICES | OPERATOR_SERVICES
