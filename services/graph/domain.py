"""Accounts and the follow graph: rules that hold whatever stores them."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from services.common.kernel.errors import InvalidArgument
from services.common.kernel.events import CelebrityChanged
from services.common.kernel.ids import valid_id, wall_clock_ms
from services.common.kernel.pagination import PageLimits
from services.common.visibility.rules import HiddenAccounts as HiddenAccounts  # given by the graph, judged by the rules

HANDLE_PATTERN = re.compile(r"[A-Za-z0-9_]{1,15}")
MAX_DISPLAY_NAME = 50
MAX_BATCH_USERS = 1000
MAX_FOLLOWER_CANDIDATES = 100_000  # a fan-out chunk's largest size
ID_PAGES = PageLimits(default=1000, maximum=10_000)  # pages of follower ids
MAX_BATCH_QUESTIONS = 100  # follower pages or followers-among questions in one batch call
MAX_BATCH_FOLLOWER_IDS = 100_000  # follower ids asked for in one batch of pages, all pages together


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


@dataclass(frozen=True)
class CelebrityLine:
    """Who is a celebrity, with hysteresis: a user becomes one at `threshold` followers and stays one
    until they fall below `lower`, a tenth of the threshold under it (at least one follower under,
    and at least 1), so an account hovering at the threshold does not flip between pushed and
    pulled with every follow."""

    threshold: int
    clock: Callable[[], int] = field(default=wall_clock_ms, compare=False)

    @property
    def lower(self) -> int:
        return max(1, self.threshold - max(1, self.threshold // 10))

    def since_after(self, since_ms: int, follower_count: int, now_ms: int) -> int:
        """The user's celebrity_since once they have follower_count followers (0: not a celebrity)."""
        if since_ms == 0 and follower_count >= self.threshold:
            return now_ms
        if since_ms != 0 and follower_count < self.lower:
            return 0
        return since_ms

    def change(self, user_id: int, since_ms: int, follower_count: int) -> tuple[int, CelebrityChanged | None]:
        """The new celebrity_since and, when the user crossed a line, the event that says so."""
        after = self.since_after(since_ms, follower_count, self.clock())
        if after == since_ms:
            return since_ms, None
        return after, CelebrityChanged(user_id, celebrity=after != 0, since_ms=after or since_ms)
