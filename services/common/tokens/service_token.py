"""A service's own credential for the internal RPCs that take only it: its token as call metadata, minted again before it expires."""

import time
from collections.abc import Callable

from services.common.tokens.access import TokenMinter

RENEW_MARGIN_SECONDS = 60


class ServiceCredential:
    def __init__(self, minter: TokenMinter, service: str, clock: Callable[[], float] = time.time):
        self._minter, self._service, self._clock = minter, service, clock
        self._token, self._expires_at = "", 0.0

    def __call__(self) -> tuple[tuple[str, str], ...]:
        now = self._clock()
        if self._expires_at - RENEW_MARGIN_SECONDS < now:
            self._token, self._expires_at = self._minter.mint_service(self._service), now + self._minter.ttl_seconds
        return (("authorization", f"Bearer {self._token}"),)
