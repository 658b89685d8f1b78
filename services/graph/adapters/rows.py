"""The columns both graph stores select for a user, and the user a row of them holds."""

from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from services.graph.domain import User

USER_COLUMNS = "u.user_id, u.handle, u.display_name, u.created_at, u.follower_count, u.following_count, u.celebrity_since"


def user_from_row(row: Mapping[str, Any], read_time: Callable[[Any], datetime] = lambda stored: stored) -> User:
    """The user in a row of USER_COLUMNS; read_time turns its stored created_at into a datetime."""
    return User(
        user_id=row["user_id"],
        handle=row["handle"],
        display_name=row["display_name"],
        created_at=read_time(row["created_at"]),
        follower_count=row["follower_count"],
        following_count=row["following_count"],
        celebrity=row["celebrity_since"] != 0,
    )


def user_from_epoch_row(row: Mapping[str, Any]) -> User:
    """The user in a row that keeps created_at as seconds since the epoch."""
    return user_from_row(row, lambda seconds: datetime.fromtimestamp(seconds, tz=timezone.utc))
