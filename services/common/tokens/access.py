"""Access tokens: short-lived JWTs signed with EdDSA, minted by the account service and verified by every service.

Claims: `sub` (the user id, decimal; or `service:<name>` for a service
acting for no user, see `mint_service`), `sid` (the session family, for
ending its access tokens early), `iss`, `aud`, `iat`, `nbf`, `exp`, `jti`. The
header's `kid` names the key; a verifier accepts only EdDSA, only keys it
holds, and only tokens of this issuer and audience, in their time.
"""

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jwt

from services.common.kernel.errors import Unauthenticated
from services.common.tokens.keys import ALGORITHM, PublicKey, SigningKey

ISSUER = "chirp-account"
AUDIENCE = "chirp-mesh"
DEFAULT_TTL_SECONDS = 900
LEEWAY_SECONDS = 30  # clocks of the issuer and a verifier may differ this much
MAX_USER_ID = 2**63
SERVICE_SUBJECT = "service:"  # sub of a service's own token: only a holder of the signing key mints one
ACCOUNT_SERVICE = "account"  # its own token is signed with the signing key, never with the service key
VERIFIED_KEPT = 10_000  # tokens whose signature was checked, kept so a repeat costs a lookup instead of 0.5 ms


@dataclass(frozen=True)
class Identity:
    user_id: int
    session: str  # the session family the token was minted for ("" for minted test and tool tokens)
    expires_at: float
    service: str = ""  # a service's own token (user_id 0): the service's name, else ""


class TokenMinter:
    """Mints access tokens with the newest signing key (the service, and tools and tests holding a key)."""

    def __init__(self, key: SigningKey, ttl_seconds: int = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.time):
        self.key, self.ttl_seconds, self._clock = key, ttl_seconds, clock

    def mint(self, user_id: int, session: str = "") -> str:
        return self._signed(str(user_id), session)

    def mint_service(self, service: str) -> str:
        """A token that proves a call comes from `service` itself (acting for no user): Graph's CreateUser takes only the account service's."""
        return self._signed(SERVICE_SUBJECT + service, "")

    def _signed(self, subject: str, session: str) -> str:
        now = int(self._clock())
        claims = {
            "sub": subject, "sid": session, "iss": ISSUER, "aud": AUDIENCE,
            "iat": now, "nbf": now, "exp": now + self.ttl_seconds, "jti": secrets.token_urlsafe(12),
        }  # fmt: skip
        return jwt.encode(claims, self.key.private, algorithm=ALGORITHM, headers={"kid": self.key.public.kid})


class TokenVerifier:
    """Checks a token against every published key; any failure is Unauthenticated, never another error."""

    def __init__(self, keys: Sequence[PublicKey], clock: Callable[[], float] = time.time, service_keys: Sequence[PublicKey] = ()):
        """service_keys: keys that sign only internal services' own tokens (never a user's, nor the account service's)."""
        self._keys = {key.kid: key for key in [*service_keys, *keys]}
        self._service_only = {key.kid for key in service_keys} - {key.kid for key in keys}
        self._clock = clock
        self._verified: OrderedDict[str, Identity] = OrderedDict()

    @property
    def keys(self) -> list[PublicKey]:
        return list(self._keys.values())

    def verify(self, token: str) -> Identity:
        known = self._verified.get(token)
        if known is not None and known.expires_at + LEEWAY_SECONDS > self._clock():
            return known
        identity = self._check(token)
        self._verified[token] = identity
        if len(self._verified) > VERIFIED_KEPT:
            self._verified.popitem(last=False)
        return identity

    def _check(self, token: str) -> Identity:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("the access token is not a JWT") from None
        if header.get("alg") != ALGORITHM:
            raise Unauthenticated(f"access tokens are signed with {ALGORITHM}, not {header.get('alg')!r}")
        key = self._keys.get(header.get("kid"))
        if key is None:
            raise Unauthenticated("the access token's key is not (or no longer) published")
        identity = self._decode(token, key)
        if key.kid in self._service_only and identity.service in ("", ACCOUNT_SERVICE):
            raise Unauthenticated("the service key signs only internal services' own tokens")
        return identity

    def _decode(self, token: str, key: PublicKey) -> Identity:
        try:
            claims = jwt.decode(
                token, key.key, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
                options={"require": ["sub", "iss", "aud", "exp", "nbf", "iat"], "verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )  # fmt: skip  # times are checked below, against this verifier's clock
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"the access token is not valid ({error})") from None
        self._check_times(claims)
        subject, expires_at = claims.get("sub"), float(claims["exp"])
        if isinstance(subject, str) and subject.startswith(SERVICE_SUBJECT) and len(subject) > len(SERVICE_SUBJECT):
            return Identity(0, "", expires_at, service=subject[len(SERVICE_SUBJECT) :])
        return Identity(_user_id(subject), str(claims.get("sid", "")), expires_at)

    def _check_times(self, claims: dict) -> None:
        now = self._clock()
        if not all(isinstance(claims[name], int | float) for name in ("exp", "nbf", "iat")):
            raise Unauthenticated("the access token is not valid (its times are not numbers)")
        if claims["exp"] + LEEWAY_SECONDS <= now:
            raise Unauthenticated("the access token has expired: refresh it or log in again")
        if claims["nbf"] - LEEWAY_SECONDS > now:
            raise Unauthenticated("the access token is not yet valid (nbf)")


def _user_id(subject) -> int:
    if not isinstance(subject, str) or not subject.isdigit() or not 0 < int(subject) < MAX_USER_ID:
        raise Unauthenticated("the access token names no user")
    return int(subject)
