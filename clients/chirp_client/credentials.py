"""What proves who a call acts for: a session's tokens (refreshed before they expire), or tokens minted with a key.

`SessionTokens` is what a user has after logging in. `MintedTokens` is for
tools that hold the signing key (the loader, the benchmark, the tests): it
mints a token for whichever user `acting_as` names, the way the account
service would.
"""

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from services.common.tokens.access import TokenMinter
from services.common.tokens.keys import SIGNING_KEY_FILE, SigningKey, read_setting
from services.common.tokens.service_token import ServiceCredential

REFRESH_MARGIN_SECONDS = 30  # a token this close to its end is refreshed (or minted again) first


@dataclass
class Session:
    user_id: int
    access_token: str
    refresh_token: str
    expires_at: float

    @classmethod
    def of(cls, message) -> "Session":
        """From the contract's Session message."""
        ttl = message.access_token_ttl.ToSeconds()
        return cls(message.user_id, message.access_token, message.refresh_token, time.time() + ttl)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class SessionTokens:
    """A logged-in user's tokens; `on_change` hears of every new pair (the CLI saves them)."""

    def __init__(self, session: Session, on_change: Callable[[Session], None] | None = None):
        self.session = session
        self._on_change = on_change

    def bearer(self, user_id: int | None) -> str | None:
        if user_id is not None and user_id != self.session.user_id:
            raise ValueError(f"these credentials are user {self.session.user_id}'s, not user {user_id}'s")
        return self.session.access_token

    def stale(self) -> bool:
        return self.session.expires_at - REFRESH_MARGIN_SECONDS < time.time()

    def renew(self, message) -> None:
        """Takes the contract's Session message a refresh answered with."""
        self.session = Session.of(message)
        if self._on_change is not None:
            self._on_change(self.session)


class MintedTokens:
    def __init__(self, minter: TokenMinter):
        self._minter = minter
        self._minted: dict[int, tuple[str, float]] = {}
        self._services: dict[str, ServiceCredential] = {}

    def as_service(self, service: str) -> tuple[tuple[str, str], ...]:
        """Metadata for an internal RPC only `service` may call (the account service's Graph CreateUser, which tools loading users use)."""
        if service not in self._services:
            self._services[service] = ServiceCredential(self._minter, service)
        return self._services[service]()

    def bearer(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        token, expires_at = self._minted.get(user_id, ("", 0.0))
        if expires_at - REFRESH_MARGIN_SECONDS < time.time():
            token, expires_at = self._minter.mint(user_id), time.time() + self._minter.ttl_seconds
            self._minted[user_id] = (token, expires_at)
        return token

    def stale(self) -> bool:
        return False


def key_holder_tokens(environ: Mapping[str, str] = os.environ) -> MintedTokens | None:
    """Minted tokens for a tool beside the mesh: the key CHIRP_JWT_PRIVATE_KEY gives (inline PEM or a file),
    else the one-process mesh's own key file under CHIRP_DATA_DIR; None when there is neither."""
    texts = read_setting(environ.get("CHIRP_JWT_PRIVATE_KEY", ""))
    kept = Path(environ.get("CHIRP_DATA_DIR") or "data") / SIGNING_KEY_FILE
    if not texts and kept.exists():
        texts = [kept.read_bytes()]
    return MintedTokens(TokenMinter(SigningKey.from_pem(texts[0]))) if texts else None
