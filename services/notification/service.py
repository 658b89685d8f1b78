"""Notification: fed by events (rules.py), read by the user it is for, with hidden accounts filtered out again.

A page filtered down is filled from the following rows, up to REFILLS more
reads, so a page comes back full whenever more notifications exist.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.common.kernel.events import Event
from services.common.kernel.pagination import Page, PageRequest
from services.common.runtime.concurrency import concurrently
from services.notification.domain import Shown, shown, summary
from services.notification.ports import HiddenFrom, NotificationStore, TweetAuthors, UserHandles
from services.notification.rules import Rules

REFILLS = 10
UNREAD_SCANNED = 1_000  # unread groups filtered one by one when the user hides anyone; beyond it, counted as stored


@dataclass(frozen=True)
class Listed:
    shown: Shown
    actors: list[tuple[int, str]]  # the shown actors that still exist, with their handles
    summary: str
    unread: bool


class NotificationService:
    def __init__(self, store: NotificationStore, authors: TweetAuthors, handles: UserHandles, hidden: HiddenFrom,
                 window_ms: int, clock: Callable[[], int]):  # fmt: skip
        self._store, self._handles, self._hidden, self._window_ms = store, handles, hidden, window_ms
        self.rules = Rules(authors, handles, hidden, clock)

    async def handle(self, event: Event) -> None:
        """One event (RabbitMQ): returns once its changes are committed. Most events (a post that
        mentions nobody) change nothing: those open no transaction."""
        changes = await self.rules.changes(event)
        if changes:
            await self._store.apply(changes, self._window_ms)

    async def handle_batch(self, events: Sequence[Event]) -> list[tuple[int, str]]:
        """A batch of events (the embedded outbox), committed as one transaction; none is set aside."""
        changes = [change for event in events for change in await self.rules.changes(event)]
        if changes:
            await self._store.apply(changes, self._window_ms)
        return []

    async def list(self, user_id: int, page: PageRequest) -> Page[Listed]:
        hidden, groups, read = await concurrently(
            self._hidden.hidden_from(user_id), self._store.page(user_id, page.cursor, page.size + 1), self._store.read_position(user_id)
        )  # fmt: skip
        kept: list[Shown] = []
        for _ in range(REFILLS + 1):
            wanted = page.size - len(kept)
            kept += [s for s in (shown(g, hidden) for g in groups[:wanted]) if s is not None]
            if len(groups) <= wanted:
                scanned_to = None  # the end
                break
            scanned_to = groups[wanted - 1].position
            if len(kept) >= page.size:
                break
            groups = await self._store.page(user_id, scanned_to, page.size - len(kept) + 1)
        named = await self._handles.handles(sorted({a for s in kept for a in s.actor_ids}))
        return Page([_listed(s, named, read) for s in kept], scanned_to)

    async def unread_count(self, user_id: int) -> int:
        hidden = await self._hidden.hidden_from(user_id)
        if not hidden.blocked and not hidden.muted:
            return await self._store.count_unread(user_id)
        groups = await self._store.unread(user_id, UNREAD_SCANNED + 1)
        if len(groups) > UNREAD_SCANNED:
            return await self._store.count_unread(user_id)
        return sum(1 for g in groups if shown(g, hidden) is not None)

    async def mark_read(self, user_id: int, position: int | None) -> int:
        """Up to that position (None: every notification so far); returns the unread count after."""
        if position is None:
            newest = await self._store.page(user_id, None, 1)
            position = newest[0].position if newest else 0
        await self._store.mark_read(user_id, position)
        return await self.unread_count(user_id)


def _listed(s: Shown, named: dict[int, str], read: int) -> Listed:
    actors = [(a, named[a]) for a in s.actor_ids if a in named]
    return Listed(s, actors, summary(s.group.kind, [handle for _, handle in actors], s.actor_count), s.group.position > read)
