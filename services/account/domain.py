"""Accounts and their sessions: plain values and rules, no storage, no gRPC.

A session is a family of refresh tokens: each refresh spends the token
given and adds the next one to the family. Only a hash of a refresh token
is stored. A spent token used again means it was copied: the whole family
ends.
"""

import hashlib
import secrets
from dataclasses import dataclass
from enum import Enum

from services.common.kernel.errors import InvalidArgument

MIN_PASSWORD, MAX_PASSWORD = 8, 1024
DEFAULT_REFRESH_TTL_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class Account:
    user_id: int
    password_hash: str
    created_at: float


@dataclass(frozen=True)
class RefreshToken:
    """One refresh token of a session family, as stored (its hash, never the token)."""

    token_hash: str
    family: str
    user_id: int
    expires_at: float


@dataclass(frozen=True)
class Successor:
    """The token a refresh hands out in place of the one it spends, in the same family."""

    token_hash: str
    expires_at: float


@dataclass(frozen=True)
class Issued:
    """What a login or a refresh hands out."""

    user_id: int
    access_token: str
    access_ttl_seconds: int
    refresh_token: str


class Spend(Enum):
    SPENT = "spent"  # it was fresh: it is spent now, and its successor stored
    UNKNOWN = "unknown"  # never issued, or its session ended
    EXPIRED = "expired"
    REUSED = "reused"  # spent before: its family has ended


def valid_password(password: str, field: str = "password") -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidArgument(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters; this one has {len(password)}", field=field)
    return password


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_successor(now: float, ttl_seconds: int) -> tuple[str, Successor]:
    """A fresh token (to hand out once) and its stored form."""
    token = secrets.token_urlsafe(32)
    return token, Successor(hash_refresh_token(token), now + ttl_seconds)


def first_of(family: str, user_id: int, successor: Successor) -> RefreshToken:
    return RefreshToken(successor.token_hash, family, user_id, successor.expires_at)


def new_family() -> str:
    return secrets.token_urlsafe(16)
