"""The request metadata that carries the acting user, and how to set it for a stretch of code."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from services.common.rpc.auth import USER_METADATA_KEY

_acting_user: ContextVar[int | None] = ContextVar("chirp_acting_user", default=None)


@contextmanager
def acting_as(user_id: int) -> Iterator[None]:
    """Calls made inside this block (in this task or thread) act for user_id."""
    token = _acting_user.set(user_id)
    try:
        yield
    finally:
        _acting_user.reset(token)


def call_metadata(default_user: int | None, metadata) -> tuple[tuple[str, str], ...]:
    """The call's metadata with the acting user added, unless the caller set one."""
    existing = tuple(metadata or ())
    user_id = _acting_user.get() or default_user
    if user_id is None or any(key == USER_METADATA_KEY for key, _ in existing):
        return existing
    return (*existing, (USER_METADATA_KEY, str(user_id)))
