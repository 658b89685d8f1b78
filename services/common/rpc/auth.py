"""The acting user: proved by an access token in the `authorization` metadata, verified on every server.

Every server (served.py) checks the token once per call, before the
handler runs: a call without one is anonymous, a
call with a bad one (expired, forged, unknown key, a deleted account's, an
ended session's) is UNAUTHENTICATED. `require_user`/`acting_user` read what it verified; a
`chirp-user-id` metadata is no longer read by anyone. A call one service
makes to another for the same user forwards that user's token
(`forwarded_for`), so the callee verifies it too. A service's own token
(`TokenMinter.mint_service`) acts for no user; `require_service` admits
only the named service's to an internal RPC.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Protocol

import grpc

from services.common.kernel.errors import PermissionDenied, Unauthenticated
from services.common.tokens.access import Identity, TokenVerifier
from services.common.tokens.ended_sessions import MemoryEndedSessions

AUTHORIZATION_KEY = "authorization"
BEARER = "bearer "

_verified: ContextVar[tuple[Identity, str] | None] = ContextVar("chirp_verified_caller", default=None)


class DeletedAccounts(Protocol):
    def is_deleted(self, user_id: int) -> bool: ...


class EndedSessions(Protocol):
    def is_ended(self, session: str) -> bool: ...


@dataclass(frozen=True)
class Authenticator:
    verifier: TokenVerifier
    deleted: DeletedAccounts
    ended: EndedSessions = field(default_factory=MemoryEndedSessions)

    def identify(self, metadata) -> tuple[Identity, str] | None:
        """The verified caller and its token, or None for a call without a token."""
        values = [value for key, value in metadata or () if key == AUTHORIZATION_KEY]
        if not values:
            return None
        if len(values) > 1 or not values[0].lower().startswith(BEARER):
            raise Unauthenticated("send one 'authorization' metadata: 'Bearer <access token>'")
        token = values[0][len(BEARER) :].strip()
        identity = self.verifier.verify(token)
        if self.deleted.is_deleted(identity.user_id):
            raise Unauthenticated("the account this token was issued for has been deleted")
        if identity.session and self.ended.is_ended(identity.session):
            raise Unauthenticated("this token's session has ended (logged out, or the password changed): log in again")
        return identity, token


def act_as(caller: tuple[Identity, str] | None) -> Token:
    """The call being served acts for `caller` (from Authenticator.identify) until `stop_acting`."""
    return _verified.set(caller)


def stop_acting(token: Token) -> None:
    _verified.reset(token)


@contextmanager
def acting_for(caller: tuple[Identity, str] | None) -> Iterator[None]:
    """`act_as` for a block of code (what a served call does, for code run outside a server)."""
    token = act_as(caller)
    try:
        yield
    finally:
        stop_acting(token)


def verified_identity() -> Identity | None:
    caller = _verified.get()
    return caller[0] if caller else None


def acting_user(context: grpc.aio.ServicerContext | None = None) -> int | None:
    """The verified user of the call being served (context: kept for the call sites; the interceptor did the work)."""
    identity = verified_identity()
    return identity.user_id if identity and not identity.service else None


def require_user(context: grpc.aio.ServicerContext | None = None) -> int:
    user_id = acting_user(context)
    if user_id is None:
        raise Unauthenticated("this call acts for a user: send 'authorization: Bearer <access token>' (log in for one)")
    return user_id


def require_service(service: str, instead: str) -> None:
    """For an internal RPC only `service` may call: its own token, or PERMISSION_DENIED saying what to call `instead`."""
    identity = verified_identity()
    if identity is None or identity.service != service:
        raise PermissionDenied(f"only the {service} service calls this RPC; {instead}")


def forwarded_for(user_id: int | None) -> tuple[tuple[str, str], ...]:
    """Metadata for a call to another service on behalf of user_id: the token the current call proved it with."""
    caller = _verified.get()
    if user_id is None or caller is None or caller[0].user_id != user_id:
        return ()
    return ((AUTHORIZATION_KEY, f"Bearer {caller[1]}"),)
