"""The tests' signing key and tokens, minted as the account service mints them (services/common/tokens)."""

import base64
import json
import time

import jwt
from argon2 import PasswordHasher

from chirp_client import MintedTokens
from chirp_client.metadata import bearer_metadata
from services.common.rpc.auth import Authenticator
from services.common.tokens.access import AUDIENCE, ISSUER, TokenMinter, TokenVerifier
from services.common.tokens.deleted_accounts import MemoryDeletedAccounts
from services.common.tokens.keys import ALGORITHM, SigningKey

TEST_KEY = SigningKey.generate()
TEST_MINTER = TokenMinter(TEST_KEY)
TEST_TOKENS = MintedTokens(TEST_MINTER)
TEST_AUTHENTICATOR = Authenticator(TokenVerifier([TEST_KEY.public]), MemoryDeletedAccounts())  # a server's, for tests
# Cheap argon2id parameters, so registering and logging in take a millisecond in tests.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def as_user(user_id: int) -> list[tuple[str, str]]:
    """Metadata that makes a call act for user_id: a valid access token for them."""
    return [bearer_metadata(TEST_TOKENS.bearer(user_id))]


def bearer(token: str) -> list[tuple[str, str]]:
    return [bearer_metadata(token)]


def claims_for(user_id: int, **changes) -> dict:
    now = int(time.time())
    claims = {"sub": str(user_id), "sid": "", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + 900}
    return {**claims, **changes}


def signed(claims: dict, key: SigningKey = TEST_KEY, kid: str | None = None, algorithm: str = ALGORITHM) -> str:
    """A token as an attacker (or a test) might make one: any claims, key, kid or algorithm."""
    hmac_secret = key.public.jwk()["x"].encode()  # the classic confusion: the public key as an HMAC secret
    secret = None if algorithm == "none" else key.private if algorithm == ALGORITHM else hmac_secret
    return jwt.encode(claims, secret, algorithm=algorithm, headers={"kid": kid or key.public.kid})


def with_claims_swapped(token: str, **changes) -> str:
    """The token's signature kept, its claims changed (base64url re-encoded): a tampered token."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, **changes}).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


OTHER_KEY = SigningKey.generate()  # a key nobody published


def as_account_service() -> tuple[tuple[str, str], ...]:
    """Metadata of the account service's own token: the only caller Graph's internal CreateUser admits."""
    return TEST_TOKENS.as_service("account")
