"""The columns both graph stores select for a user, the user a row of them holds, and batch answers from rows."""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from services.common.kernel.pagination import Page, PageRequest, page_of
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


def follower_id_pages(rows: Sequence[Any], requests: Sequence[tuple[int, PageRequest]]) -> list[Page[int]]:
    """Each request's page from rows of (request index, seq, follower_id), each request's rows in seq order."""
    grouped: list[list[Any]] = [[] for _ in requests]
    for row in rows:
        grouped[row[0]].append(row)
    return [page_of(group, page.size, lambda row: row[1], lambda row: row[2]) for group, (_, page) in zip(grouped, requests)]


def followers_by_question(rows: Sequence[Any], questions: Sequence) -> list[set[int]]:
    """Each question's followers from rows of (question index, follower_id)."""
    found: list[set[int]] = [set() for _ in questions]
    for row in rows:
        found[row[0]].add(row[1])
    return found
