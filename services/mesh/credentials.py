"""The token keys and the account service, as both entry points wire them.

Keys: the issuer (the account service, or the whole mesh in one process)
signs with CHIRP_JWT_PRIVATE_KEY; the whole mesh in one process, given
none, signs with `$CHIRP_DATA_DIR/jwt-signing-key.pem`, made at its first
start (so tokens outlive a restart, and tools on the machine can read it). Every process verifies with every key of
CHIRP_JWT_PUBLIC_KEYS plus the public half of its own signing key; a
process of one service with no key at all refuses to start. CHIRP_SERVICE_KEY,
given to every process of one service, signs the internal services' own
tokens (Graph's ListHiddenIds admits them) and is accepted for nothing else.
"""

from collections.abc import Callable

from argon2 import PasswordHasher

from services.account.passwords import Passwords
from services.account.ports import AccountStore, Profiles
from services.account.service import AccountService
from services.common.limits.buckets import TokenBuckets
from services.common.rpc.auth import Authenticator
from services.common.runtime.config import Settings
from services.common.runtime.env import ConfigError
from services.common.tokens.access import TokenMinter, TokenVerifier
from services.common.tokens.deleted_accounts import MemoryDeletedAccounts, RedisDeletedAccounts
from services.common.tokens.ended_sessions import MemoryEndedSessions, RedisEndedSessions
from services.common.tokens.keys import SIGNING_KEY_FILE, PublicKey, SigningKey, load_or_create, public_keys_from
from services.common.tokens.service_token import ServiceCredential
from services.mesh.backends import Resources
from services.mesh.kept import open_deleted_accounts, open_ended_sessions


def signing_key(settings: Settings) -> SigningKey | None:
    if settings.jwt_private_key:
        try:
            return SigningKey.from_pem(settings.jwt_private_key)
        except ValueError as error:
            raise ConfigError(f"CHIRP_JWT_PRIVATE_KEY: {error}") from None
    return None if settings.service else load_or_create(settings.data_dir / SIGNING_KEY_FILE)


def published_keys(settings: Settings, signing: SigningKey | None) -> list[PublicKey]:
    """The signing key's public half first, then every other configured key (once each)."""
    try:
        configured = public_keys_from(list(settings.jwt_public_keys))
    except ValueError as error:
        raise ConfigError(f"CHIRP_JWT_PUBLIC_KEYS: {error}") from None
    keys = ([signing.public] if signing else []) + configured
    unique = list({key.kid: key for key in reversed(keys)}.values())[::-1]
    if not unique:
        raise ConfigError(f"CHIRP_SERVICE={settings.service} needs CHIRP_JWT_PUBLIC_KEYS (or CHIRP_JWT_PRIVATE_KEY) to verify tokens")
    return unique


def service_key(settings: Settings) -> SigningKey | None:
    """CHIRP_SERVICE_KEY: what internal services sign their own tokens with; it can sign no user's token."""
    if not settings.service_key:
        return None
    try:
        return SigningKey.from_pem(settings.service_key)
    except ValueError as error:
        raise ConfigError(f"CHIRP_SERVICE_KEY: {error}") from None


def open_authenticator(settings: Settings, resources: Resources, signing: SigningKey | None) -> Authenticator:
    deleted, ended = open_deleted_accounts(settings, resources), open_ended_sessions(settings, resources)
    internal = service_key(settings)
    verifier = TokenVerifier(published_keys(settings, signing), service_keys=[internal.public] if internal else [])
    return Authenticator(verifier, deleted, ended)


def own_credential(settings: Settings) -> Callable[[], tuple[tuple[str, str], ...]]:
    """This process's service token (named by CHIRP_SERVICE), or no metadata without CHIRP_SERVICE_KEY."""
    internal = service_key(settings)
    return ServiceCredential(TokenMinter(internal, settings.access_token_ttl_seconds), settings.service) if internal else tuple


def account_minter(settings: Settings, signing: SigningKey | None) -> TokenMinter:
    if signing is None:
        raise ConfigError("CHIRP_SERVICE=account needs CHIRP_JWT_PRIVATE_KEY, the key it signs access tokens with")
    return TokenMinter(signing, settings.access_token_ttl_seconds)


def account_credential(settings: Settings, signing: SigningKey | None) -> ServiceCredential:
    """The account service's own token, which Graph's internal CreateUser requires."""
    return ServiceCredential(account_minter(settings, signing), "account")


def account_service(
    settings: Settings, store: AccountStore, profiles: Profiles, signing: SigningKey | None, limiter: TokenBuckets,
    deleted: MemoryDeletedAccounts | RedisDeletedAccounts, ended: MemoryEndedSessions | RedisEndedSessions,
    hasher: PasswordHasher | None = None,
) -> AccountService:  # fmt: skip
    return AccountService(
        store, profiles, Passwords(hasher), account_minter(settings, signing), published_keys(settings, signing), limiter, deleted,
        ended, settings.refresh_token_ttl_seconds,
    )  # fmt: skip
