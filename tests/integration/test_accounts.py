"""Accounts over real gRPC: register, log in, refresh, log out, change password; what a stolen or stale token can't do."""

import time

import grpc
import pytest
from argon2 import PasswordHasher

from chirp.account.v1 import account_service_pb2 as account_pb
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client.client import AsyncChirpClient
from services.common.limits.rates import LOGIN, LOGIN_ADDRESS, Rate
from services.common.storage.sqlite import Database
from tests.conftest import LiveMesh, make_settings, production_backends, serving
from tests.tokens import OTHER_KEY, TEST_KEY, TEST_MINTER, bearer

PASSWORD = "a password long enough"
UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED


async def register(live: LiveMesh, handle: str, password: str = PASSWORD) -> int:
    request = account_pb.CreateAccountRequest(handle=handle, password=password)
    return (await live.client.account.CreateAccount(request)).user_id


async def log_in(live: LiveMesh, handle: str, password: str = PASSWORD, metadata=()) -> account_pb.Session:
    request = account_pb.CreateSessionRequest(handle=handle, password=password)
    return (await live.client.account.CreateSession(request, metadata=metadata)).session


async def refresh(live: LiveMesh, session: account_pb.Session) -> account_pb.Session:
    request = account_pb.RefreshSessionRequest(refresh_token=session.refresh_token)
    return (await live.client.account.RefreshSession(request)).session


async def post(live: LiveMesh, access_token: str, text: str = "hi") -> tweet_pb.Tweet:
    return (await live.client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text=text), metadata=bearer(access_token))).tweet


async def refused(call, code: grpc.StatusCode = UNAUTHENTICATED) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == code, caught.value.details()
    return caught.value.details()


async def test_register_log_in_post_refresh_and_log_out(live: LiveMesh):
    alice = await register(live, "alice")
    user = (await live.client.graph.GetUserByHandle(graph_pb.GetUserByHandleRequest(handle="alice"))).user
    assert user.user_id == alice, "registering made the profile: a handle is one user"
    session = await log_in(live, "ALICE")
    assert session.user_id == alice and session.access_token_ttl.ToSeconds() == 900
    assert (await post(live, session.access_token)).author.user_id == alice

    renewed = await refresh(live, session)
    assert renewed.refresh_token != session.refresh_token and renewed.user_id == alice
    assert (await post(live, renewed.access_token, "after a refresh")).author.user_id == alice

    await live.client.account.DeleteSession(account_pb.DeleteSessionRequest(refresh_token=renewed.refresh_token))
    assert "unknown" in await refused(refresh(live, renewed))
    await live.client.account.DeleteSession(account_pb.DeleteSessionRequest(refresh_token=renewed.refresh_token))  # a no-op


async def test_logging_out_ends_the_sessions_access_tokens_at_once_and_only_its_own(live: LiveMesh):
    await register(live, "alice")
    leaving, staying = await log_in(live, "alice"), await log_in(live, "alice")
    renewed = await refresh(live, leaving)
    await live.client.account.DeleteSession(account_pb.DeleteSessionRequest(refresh_token=renewed.refresh_token))
    for token in (leaving.access_token, renewed.access_token):  # every access token the session was given
        assert "session has ended" in await refused(post(live, token))
    assert (await post(live, staying.access_token)).author.user_id == staying.user_id, "another device's session lives on"


async def test_a_reused_refresh_token_ends_the_familys_access_tokens(live: LiveMesh):
    await register(live, "alice")
    stolen = await log_in(live, "alice")
    legitimate = await refresh(live, stolen)
    await refused(refresh(live, stolen))
    assert "session has ended" in await refused(post(live, legitimate.access_token))


async def test_a_reused_refresh_token_ends_its_whole_family(live: LiveMesh):
    await register(live, "alice")
    stolen = await log_in(live, "alice")
    other = await log_in(live, "alice")  # another device: a family of its own
    legitimate = await refresh(live, stolen)
    assert "already used" in await refused(refresh(live, stolen))
    assert "unknown" in await refused(refresh(live, legitimate)), "the family's newest token ended too"
    assert (await refresh(live, other)).user_id == other.user_id, "other sessions live on"


async def test_changing_the_password_ends_the_other_sessions_and_only_your_own(live: LiveMesh):
    await register(live, "alice")
    bob = await register(live, "bob")
    here, elsewhere = await log_in(live, "alice"), await log_in(live, "alice")
    change = account_pb.ChangePasswordRequest(current_password=PASSWORD, new_password="a brand new password")
    await live.client.account.ChangePassword(change, metadata=bearer(here.access_token))
    assert "wrong handle or password" in await refused(log_in(live, "alice"))
    assert (await log_in(live, "alice", "a brand new password")).user_id == here.user_id
    await refresh(live, here)
    assert "unknown" in await refused(refresh(live, elsewhere))
    assert "session has ended" in await refused(post(live, elsewhere.access_token)), "the other sessions' access tokens end at once"
    assert (await post(live, here.access_token)).author.user_id == here.user_id, "the session that changed it lives on"
    assert (await log_in(live, "bob")).user_id == bob, "bob's password is untouched"


async def test_a_deleted_accounts_token_stops_working(live: LiveMesh):
    alice = await register(live, "alice")
    session = await log_in(live, "alice")
    await live.client.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=alice), metadata=bearer(session.access_token))
    await live.settle()
    assert "deleted" in await refused(post(live, session.access_token))
    assert "unknown" in await refused(refresh(live, session))
    assert "wrong handle or password" in await refused(log_in(live, "alice"))


async def test_tokens_of_a_retired_key_verify_while_it_is_published(tmp_path):
    """Rotation: the old key stays published while its tokens live; new tokens are signed with the new key."""
    old_token = TEST_MINTER.mint(42)
    settings = make_settings(tmp_path, jwt_private_key=OTHER_KEY.pem(), jwt_public_keys=(TEST_KEY.public_pem(),))
    async with serving(settings) as live:
        alice = await register(live, "alice")
        fresh = await log_in(live, "alice")
        keys = (await live.client.account.ListPublicKeys(account_pb.ListPublicKeysRequest())).keys
        assert [k.kid for k in keys] == [OTHER_KEY.public.kid, TEST_KEY.public.kid], "the signing key first"
        assert (await post(live, fresh.access_token)).author.user_id == alice
        assert "has no account" in await refused(post(live, old_token)), "the old key's token verified; user 42 just has no account"
    async with serving(make_settings(tmp_path, jwt_private_key=OTHER_KEY.pem())) as live:
        assert "not (or no longer) published" in await refused(post(live, old_token))
        assert (await post(live, fresh.access_token)).author.user_id == alice


async def test_logins_are_throttled_per_account(tmp_path):
    settings = make_settings(tmp_path, rate_limits={LOGIN: Rate(3, 3600)})
    async with serving(settings) as live:
        await register(live, "alice")
        await register(live, "bob")
        for _ in range(3):
            await refused(log_in(live, "alice", "guess the password"))
        details = await refused(log_in(live, "alice"), grpc.StatusCode.RESOURCE_EXHAUSTED)
        assert "3 logins an hour: try again in" in details, "the right password is refused too, until a token is back"
        assert (await log_in(live, "bob")).user_id, "another account is not held back"


async def test_logins_are_throttled_per_client_address_named_by_a_trusted_proxy(tmp_path):
    settings = make_settings(tmp_path, rate_limits={LOGIN_ADDRESS: Rate(2, 3600)})
    async with serving(settings) as live:
        for handle in ("alice", "bob", "carol"):
            await register(live, handle)
        attacker = [("x-forwarded-for", "203.0.113.7")]
        await log_in(live, "alice", metadata=attacker)
        await refused(log_in(live, "bob", "guess", metadata=attacker))
        details = await refused(log_in(live, "carol", metadata=attacker), grpc.StatusCode.RESOURCE_EXHAUSTED)
        assert "2 logins from one address an hour" in details
        assert (await log_in(live, "carol", metadata=[("x-forwarded-for", "198.51.100.1")])).user_id


async def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(tmp_path):
    settings = make_settings(tmp_path, rate_limits={LOGIN_ADDRESS: Rate(2, 3600)}, trusted_proxies=())
    async with serving(settings) as live:
        await register(live, "alice")
        for n in range(2):
            await log_in(live, "alice", metadata=[("x-forwarded-for", f"198.51.100.{n}")])
        await refused(log_in(live, "alice", metadata=[("x-forwarded-for", "198.51.100.9")]), grpc.StatusCode.RESOURCE_EXHAUSTED)


async def test_a_hash_made_with_other_parameters_is_replaced_at_the_next_login(tmp_path):
    async with serving(make_settings(tmp_path)) as live:
        await register(live, "alice")
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    async with serving(make_settings(tmp_path), hasher=stronger) as live:
        await log_in(live, "alice")
    db = await Database.open(make_settings(tmp_path).database_path)
    try:
        stored = (await db.fetch_one("SELECT password_hash FROM accounts"))[0]
    finally:
        await db.close()
    assert "m=2048,t=2,p=1" in stored and not stronger.check_needs_rehash(stored)


async def test_accounts_on_the_production_backends(tmp_path):
    async with production_backends(tmp_path) as settings, serving(settings) as live:
        alice = await register(live, "alice")
        session = await log_in(live, "alice")
        renewed = await refresh(live, session)
        assert "already used" in await refused(refresh(live, session))
        assert "unknown" in await refused(refresh(live, renewed))
        fresh, leaving = await log_in(live, "alice"), await log_in(live, "alice")
        await live.client.account.DeleteSession(account_pb.DeleteSessionRequest(refresh_token=leaving.refresh_token))
        assert "session has ended" in await refused(post(live, leaving.access_token))
        assert (await post(live, fresh.access_token)).author.user_id == alice
        await live.client.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=alice), metadata=bearer(fresh.access_token))
        await live.settle(timeout=20)
        assert "deleted" in await refused(post(live, fresh.access_token))


async def test_the_async_client_refreshes_a_stale_session_before_its_next_call(live: LiveMesh):
    alice = await register(live, "refreshed")
    async with AsyncChirpClient(live.target) as client:
        session = await client.login("refreshed", PASSWORD)
        before = session.access_token, session.refresh_token
        session.expires_at = time.time()  # within the refresh margin: stale
        tweet = (await client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="after a silent refresh"))).tweet
        assert tweet.author.user_id == alice
        assert (client.credentials.session.access_token, client.credentials.session.refresh_token) != before
        assert not client.credentials.stale()
