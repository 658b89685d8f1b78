"""NotificationService.handle (the RabbitMQ path): an event that changes nothing opens no transaction."""

import asyncio

from services.common.kernel.events import TweetCreated, TweetDeleted
from services.common.kernel.mentions import addresses_anyone
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


class EveryoneKnown(NoHandles):
    async def user_ids(self, handles):
        return [100 + n for n, _ in enumerate(handles)]


class AuthorOfEverything:
    async def author_of(self, tweet_id):
        return 50


def test_posts_the_bus_keeps_from_notification_would_change_nothing():
    """Notification's queue takes only the posts that address someone (registry, codec): the others give no change."""
    rules = NotificationService(RecordingStore(), AuthorOfEverything(), EveryoneKnown(), None, 60_000, lambda: 0).rules
    posts = [TweetCreated(1 << 22, 7, text) for text in ("plain", "#tag only", "bob@example.com", "a@b c")]
    for post in posts:
        assert not addresses_anyone(post)
        assert asyncio.run(rules.changes(post)) == []
