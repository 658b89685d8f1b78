"""Accounts and the follow graph: rules that hold whatever stores them."""

import re
from dataclasses import dataclass
from datetime import datetime

from services.common.kernel.errors import InvalidArgument
from services.common.kernel.ids import valid_id

HANDLE_PATTERN = re.compile(r"[A-Za-z0-9_]{1,15}")
MAX_DISPLAY_NAME = 50
MAX_BATCH_USERS = 1000


@dataclass(frozen=True)
class User:
    user_id: int
    handle: str
    display_name: str
    created_at: datetime
    follower_count: int = 0
    following_count: int = 0
    celebrity: bool = False


def valid_handle(handle: str) -> str:
    handle = handle.removeprefix("@")
    if not HANDLE_PATTERN.fullmatch(handle):
        raise InvalidArgument(
            f"handle {handle!r} is not valid: use 1 to 15 letters, digits or underscores", field="handle"
        )
    return handle


def handle_key(handle: str) -> str:
    """Handles are unique without regard to letter case."""
    return handle.casefold()


def valid_display_name(name: str, handle: str) -> str:
    name = name.strip() or handle
    if len(name) > MAX_DISPLAY_NAME:
        raise InvalidArgument(
            f"display_name is {len(name)} characters; the limit is {MAX_DISPLAY_NAME}", field="display_name"
        )
    if any(not character.isprintable() for character in name):
        raise InvalidArgument("display_name must not contain control characters", field="display_name")
    return name


def valid_user_id(user_id: int, field: str = "user_id") -> int:
    return valid_id(user_id, field, "user")
