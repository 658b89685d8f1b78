"""Access tokens, key settings and the client address, without servers."""

import json

import pytest

from services.common.kernel.errors import Unauthenticated
from services.common.rpc.client_address import client_address, parse_networks, peer_address
from services.common.tokens import marks
from services.common.tokens.access import TokenMinter, TokenVerifier
from services.common.tokens.deleted_accounts import MemoryDeletedAccounts
from services.common.tokens.ended_sessions import MemoryEndedSessions, kept_seconds
from services.common.tokens.keys import SigningKey, load_or_create, public_keys_from, read_setting
from tests.tokens import OTHER_KEY, TEST_KEY


def test_a_minted_token_verifies_with_its_user_session_and_kid():
    token = TokenMinter(TEST_KEY).mint(42, "family")
    identity = TokenVerifier([OTHER_KEY.public, TEST_KEY.public]).verify(token)
    assert (identity.user_id, identity.session) == (42, "family")


def test_a_token_verified_before_is_refused_once_it_expires():
    now = [1_000_000.0]
    token = TokenMinter(TEST_KEY, ttl_seconds=60, clock=lambda: now[0]).mint(7)
    verifier = TokenVerifier([TEST_KEY.public], clock=lambda: now[0])
    assert verifier.verify(token).user_id == 7
    now[0] += 60 + 31  # past the expiry and the leeway: the kept verdict must not outlive the token
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(token)


def test_a_key_id_is_the_same_in_every_form_of_the_key(tmp_path):
    pem, public_pem = TEST_KEY.pem(), TEST_KEY.public_pem()
    jwks = json.dumps({"keys": [TEST_KEY.public.jwk()]}).encode()
    assert {k.kid for k in public_keys_from([pem, public_pem, jwks])} == {TEST_KEY.public.kid}
    (tmp_path / "a.pem").write_bytes(public_pem)
    (tmp_path / "b.pem").write_bytes(OTHER_KEY.public_pem())
    texts = read_setting(f"{tmp_path / 'a.pem'}, {tmp_path / 'b.pem'}")
    assert [k.kid for k in public_keys_from(texts)] == [TEST_KEY.public.kid, OTHER_KEY.public.kid]


def test_a_kept_signing_key_is_made_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "keys" / "signing.pem"
    made = load_or_create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create(path).public.kid == made.public.kid
    assert SigningKey.from_pem(path.read_bytes()).public.kid == made.public.kid


async def test_deleted_accounts_in_memory():
    deleted = MemoryDeletedAccounts()
    await deleted.mark(5)
    assert deleted.is_deleted(5) and not deleted.is_deleted(6)


async def test_ended_sessions_are_kept_one_token_lifetime_and_then_forgotten(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(marks.time, "time", lambda: now[0])
    ended = MemoryEndedSessions(kept_seconds(900))
    await ended.mark("family-a", "family-b")
    assert ended.is_ended("family-a") and ended.is_ended("family-b") and not ended.is_ended("family-c")
    now[0] += 900 + 61  # past the access token's lifetime and both leeways: its tokens have expired anyway
    await ended.mark("family-c")
    assert not ended.is_ended("family-a") and ended.is_ended("family-c")


def test_a_service_token_names_its_service_and_acts_for_no_user():
    minter = TokenMinter(SigningKey.generate())
    identity = TokenVerifier([minter.key.public]).verify(minter.mint_service("account"))
    assert (identity.service, identity.user_id, identity.session) == ("account", 0, "")
    assert TokenVerifier([minter.key.public]).verify(minter.mint(7, "family")).service == ""


def test_the_service_key_signs_internal_services_tokens_and_nothing_else():
    signing, internal = TokenMinter(SigningKey.generate()), TokenMinter(SigningKey.generate())
    verifier = TokenVerifier([signing.key.public], service_keys=[internal.key.public])
    assert verifier.verify(internal.mint_service("timeline")).service == "timeline"
    assert verifier.verify(signing.mint_service("account")).service == "account"
    for forged in (internal.mint(7), internal.mint_service("account")):  # a user's token, or the account service's
        with pytest.raises(Unauthenticated, match="only internal services"):
            verifier.verify(forged)


class Call:
    def __init__(self, peer: str, forwarded: list[str]):
        self._peer, self._metadata = peer, [("x-forwarded-for", value) for value in forwarded]

    def peer(self) -> str:
        return self._peer

    def invocation_metadata(self):
        return self._metadata


@pytest.mark.parametrize(
    "peer, forwarded, trusted, expected",
    [
        ("ipv4:127.0.0.1:5000", ["203.0.113.7"], "", "203.0.113.7"),  # the edge on loopback names the client
        ("ipv4:127.0.0.1:5000", ["198.51.100.1, 203.0.113.7"], "", "203.0.113.7"),  # the client's own claim is not believed
        ("ipv4:127.0.0.1:5000", ["198.51.100.1, 10.0.0.2"], "127.0.0.1,10.0.0.0/8", "198.51.100.1"),  # two trusted hops
        ("ipv4:192.0.2.9:5000", ["203.0.113.7"], "", "192.0.2.9"),  # an untrusted peer names no one else
        ("ipv4:127.0.0.1:5000", ["203.0.113.7"], "none", "127.0.0.1"),
        ("ipv6:[::1]:5000", [], "", "::1"),
    ],
)
def test_the_client_address_believes_trusted_proxies_only(peer, forwarded, trusted, expected):
    assert client_address(Call(peer, forwarded), parse_networks(trusted)) == expected


def test_peer_addresses():
    assert peer_address("ipv4:10.1.2.3:443") == "10.1.2.3" and peer_address("ipv6:[2001:db8::1]:80") == "2001:db8::1"
