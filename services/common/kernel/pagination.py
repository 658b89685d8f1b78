"""AIP-158 pagination: page sizes and opaque, tamper-evident page tokens.

A token carries the cursor (the sort key of the last item returned) and
the scope it was issued for (the method and its parent), signed with
HMAC-SHA256. A token edited by hand, or replayed against another list,
is INVALID_ARGUMENT.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from services.common.kernel.errors import InvalidArgument

_MAC_BYTES = 16
T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    size: int
    cursor: int | str | None = None  # opaque: a storage position, or another service's page token


@dataclass(frozen=True)
class PageLimits:
    default: int
    maximum: int

    def size(self, requested: int) -> int:
        if requested < 0:
            raise InvalidArgument(
                f"page_size must not be negative (got {requested}); use 0 for the default of {self.default}",
                field="page_size",
            )
        return min(requested or self.default, self.maximum)


class PageTokens:
    def __init__(self, secret: bytes):
        self._secret = secret

    def encode(self, scope: str, cursor: int) -> str:
        body = f'{{"s":{json.dumps(scope)},"c":{int(cursor)}}}'.encode()  # as json.dumps of {"s": scope, "c": cursor}, compact
        token = self._mac(body) + body
        return base64.urlsafe_b64encode(token).decode().rstrip("=")

    def decode(self, scope: str, token: str) -> int:
        mac, body = self._split(token)
        if not hmac.compare_digest(mac, self._mac(body)):
            raise _bad_token("it was altered or was not issued by this service")
        payload = json.loads(body)
        if payload.get("s") != scope:
            raise _bad_token("it belongs to a different list; start again without a page_token")
        return int(payload["c"])

    def request(self, scope: str, limits: PageLimits, page_size: int, page_token: str) -> PageRequest:
        cursor = self.decode(scope, page_token) if page_token else None
        return PageRequest(limits.size(page_size), cursor)

    def next_token(self, scope: str, cursor: int | None) -> str:
        return "" if cursor is None else self.encode(scope, cursor)

    def _mac(self, body: bytes) -> bytes:
        return hmac.digest(self._secret, body, hashlib.sha256)[:_MAC_BYTES]

    @staticmethod
    def _split(token: str) -> tuple[bytes, bytes]:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (ValueError, TypeError):
            raise _bad_token("it is not a token this service issued") from None
        if len(raw) <= _MAC_BYTES:
            raise _bad_token("it is too short to be a token this service issued")
        return raw[:_MAC_BYTES], raw[_MAC_BYTES:]


def _bad_token(why: str) -> InvalidArgument:
    return InvalidArgument(f"page_token is not valid: {why}", field="page_token")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results; next_cursor is None on the last page."""

    items: list[T]
    next_cursor: int | None


def page_of(rows: Sequence[Any], size: int, cursor_of: Callable[[Any], int], item_of: Callable[[Any], T]) -> Page[T]:
    """A page from up to size + 1 rows: the extra row only tells that more exist."""
    shown = rows[:size]
    next_cursor = cursor_of(shown[-1]) if len(rows) > size else None
    return Page([item_of(row) for row in shown], next_cursor)
