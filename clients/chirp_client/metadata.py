"""The request metadata that proves the acting user, and how to set that user for a stretch of code."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

from services.common.rpc.auth import AUTHORIZATION_KEY

# Calls that prove who they are by a password or a refresh token: an access token, perhaps stale, would only get in the way.
WITHOUT_ACCESS_TOKEN = frozenset(
    f"/chirp.account.v1.AccountService/{name}" for name in ("CreateAccount", "CreateSession", "RefreshSession", "DeleteSession")
)

_acting_user: ContextVar[int | None] = ContextVar("chirp_acting_user", default=None)


class Credentials(Protocol):
    def bearer(self, user_id: int | None) -> str | None:
        """The access token for a call acting for user_id (None: the credentials' own user, if any)."""

    def stale(self) -> bool:
        """The token should be refreshed before the next call."""


@contextmanager
def acting_as(user_id: int) -> Iterator[None]:
    """Calls made inside this block (in this task or thread) act for user_id (with credentials that can mint)."""
    token = _acting_user.set(user_id)
    try:
        yield
    finally:
        _acting_user.reset(token)


def bearer_metadata(token: str) -> tuple[str, str]:
    return (AUTHORIZATION_KEY, f"Bearer {token}")


def call_metadata(credentials: Credentials | None, default_user: int | None, metadata, method: str) -> tuple[tuple[str, str], ...]:
    """The call's metadata with the acting user's token added, unless the caller set one."""
    existing = tuple(metadata or ())
    if credentials is None or method in WITHOUT_ACCESS_TOKEN or any(key == AUTHORIZATION_KEY for key, _ in existing):
        return existing
    token = credentials.bearer(_acting_user.get() or default_user)
    return existing if token is None else (*existing, bearer_metadata(token))
