"""NotificationService.handle (the RabbitMQ path): an event that changes nothing opens no transaction."""

import asyncio

from services.common.kernel.events import TweetCreated, TweetDeleted
from services.notification.service import NotificationService


class RecordingStore:
    def __init__(self):
        self.applied = []

    async def apply(self, changes, window_ms):
        self.applied.append(list(changes))


class NoHandles:
    async def user_ids(self, handles):
        return []


def _service(store: RecordingStore) -> NotificationService:
    return NotificationService(store, authors=None, handles=NoHandles(), hidden=None, window_ms=60_000, clock=lambda: 0)


def test_a_post_that_mentions_nobody_reaches_no_store():
    store = RecordingStore()
    asyncio.run(_service(store).handle(TweetCreated(tweet_id=1 << 22, author_id=7, text="no one named here")))
    assert store.applied == []


def test_an_event_with_changes_is_applied():
    store = RecordingStore()
    asyncio.run(_service(store).handle(TweetDeleted(tweet_id=1 << 22, author_id=7)))
    assert len(store.applied) == 1 and store.applied[0]
