"""Maps domain events to the chirp.events.v1.Event envelope and back, and to their routing keys on the bus."""

import dataclasses
import re
from collections.abc import Sequence
from datetime import datetime, timezone

from chirp.events.v1 import events_pb2
from services.common.kernel.events import EVENT_TYPES, Event, TweetCreated
from services.common.kernel.mentions import addresses_anyone

_FIELD_OF = {kind: re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower() for kind in EVENT_TYPES}
_KIND_OF = {field: kind for kind, field in _FIELD_OF.items()}
ADDRESSED = "addressed"  # the word after `tweet.created` in the key of a post that addresses someone


def encode(event: Event, event_id: int = 0, occurred_at: datetime | None = None) -> bytes:
    envelope = events_pb2.Event(event_id=event_id)
    envelope.occur_time.FromDatetime(occurred_at or datetime.now(timezone.utc))
    getattr(envelope, _FIELD_OF[type(event)]).CopyFrom(
        getattr(events_pb2, type(event).__name__)(**dataclasses.asdict(event))
    )
    return envelope.SerializeToString()


def decode(payload: bytes) -> Event:
    envelope = events_pb2.Event.FromString(payload)
    field = envelope.WhichOneof("payload")
    if field is None:
        raise ValueError("event envelope has no payload")
    kind = _KIND_OF[field]
    message = getattr(envelope, field)
    return kind(**{f.name: getattr(message, f.name) for f in dataclasses.fields(kind)})


def routing_key(kind: type) -> str:
    """The event's routing key on the bus: its envelope field, dotted (`tweet.created`, `user.followed`)."""
    return _FIELD_OF[kind].replace("_", ".")


def routing_key_of(payload: bytes) -> str:
    """The key an event is published with: its kind's, and `tweet.created.addressed` for a post that
    addresses someone (a reply, a retweet, a mention), so that a queue can take those alone."""
    event = decode(payload)
    if isinstance(event, TweetCreated) and addresses_anyone(event):
        return f"{routing_key(TweetCreated)}.{ADDRESSED}"
    return routing_key(type(event))


def bindings(kinds: Sequence[type], addressed_posts_only: bool = False) -> tuple[list[str], list[str]]:
    """The patterns a queue binds to take these kinds of events (of posts, every one or only those addressing
    someone), and the keys it must not stay bound to (an earlier binding that took every post)."""
    patterns = [routing_key(kind) for kind in kinds if kind is not TweetCreated]
    if TweetCreated not in kinds:
        return patterns, []
    post = routing_key(TweetCreated)
    if addressed_posts_only:
        return [f"{post}.{ADDRESSED}", *patterns], [post]
    return [f"{post}.#", *patterns], []  # `#` matches no word too: every post
