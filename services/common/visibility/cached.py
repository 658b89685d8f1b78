"""A viewer's hidden accounts, read from the kept copies and, on a miss, from the Graph service."""

from typing import Protocol

from services.common.telemetry import metrics
from services.common.visibility.rules import NOTHING_HIDDEN, HiddenAccounts


class HiddenSource(Protocol):
    """The Graph service, in process or remote (its ListHiddenIds)."""

    async def hidden_accounts(self, user_id: int) -> HiddenAccounts: ...


class HiddenCopies(Protocol):
    async def get(self, user_id: int) -> HiddenAccounts | None: ...

    async def fill(self, user_id: int, hidden: HiddenAccounts) -> None: ...


class CachedHiddenAccounts:
    """copies None (a process of one service without Redis): every read asks the Graph service."""

    def __init__(self, source: HiddenSource, copies: HiddenCopies | None):
        self._source, self._copies = source, copies

    @property
    def copies(self) -> HiddenCopies | None:
        return self._copies

    async def hidden_from(self, viewer_id: int | None) -> HiddenAccounts:
        """What to hide from the viewer; nothing for an anonymous reader."""
        if viewer_id is None:
            return NOTHING_HIDDEN
        if self._copies is None:
            return await self._source.hidden_accounts(viewer_id)
        kept = await self._copies.get(viewer_id)
        metrics.looked_up("hidden", kept is not None, kept is None)
        if kept is not None:
            return kept
        hidden = await self._source.hidden_accounts(viewer_id)
        await self._copies.fill(viewer_id, hidden)
        return hidden
