"""Maps domain events to the chirp.events.v1.Event envelope and back."""

import dataclasses
import re
from datetime import datetime, timezone

from chirp.events.v1 import events_pb2
from services.common.kernel.events import EVENT_TYPES, Event

_FIELD_OF = {kind: re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower() for kind in EVENT_TYPES}
_KIND_OF = {field: kind for kind, field in _FIELD_OF.items()}


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
    return routing_key(type(decode(payload)))
