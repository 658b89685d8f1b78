"""Several events in one bus message, so a busy outbox costs the broker and its consumers a message per
run of events rather than one per event.

`packed` turns each run of consecutive messages bound for the same place (exchange and routing key, no
expiry, not mandatory) into one message whose body is an `EventBatch` of at most `most` events, each
with the headers it would carry alone (its trace context); the `x-chirp-batch` header gives the count.
A run of one stays a plain message. `unpacked` gives a consumer the events back, as (body, headers) in
order, and a plain message as itself; the consumer handles, and on failure sets aside, each on its own.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf.message import DecodeError

from chirp.events.v1 import events_pb2
from services.common.messaging.rabbitmq.message import Message

BATCH_HEADER = "x-chirp-batch"
MAX_EVENTS = 50  # the relay's default (CHIRP_RELAY_BATCH_EVENTS)


def packed(messages: Sequence[Message], most: int = MAX_EVENTS) -> list[Message]:
    runs: list[list[Message]] = []
    for message in messages:
        if runs and len(runs[-1]) < most and _joins(runs[-1][0], message):
            runs[-1].append(message)
        else:
            runs.append([message])
    return [run[0] if len(run) == 1 else _batch(run) for run in runs]


def unpacked(body: bytes, headers: Mapping[str, Any]) -> list[tuple[bytes, dict[str, Any]]]:
    """A batch's events, each with its own headers; any other message as it came. A batch that does not
    parse is given back whole, so its handler fails on it and it is set aside with the reason."""
    if BATCH_HEADER not in headers:
        return [(body, dict(headers))]
    try:
        batch = events_pb2.EventBatch.FromString(body)
    except DecodeError:
        return [(body, dict(headers))]
    return [(each.event, dict(each.headers)) for each in batch.events]


def _joins(first: Message, message: Message) -> bool:
    return _plain(message) and _plain(first) and (message.exchange, message.routing_key) == (first.exchange, first.routing_key)


def _plain(message: Message) -> bool:
    return message.expiration_ms is None and not message.mandatory


def _batch(run: list[Message]) -> Message:
    batch = events_pb2.EventBatch(events=[events_pb2.BatchedEvent(event=m.body, headers=dict(m.headers)) for m in run])
    first = run[0]
    return Message(first.routing_key, batch.SerializeToString(), {BATCH_HEADER: str(len(run))}, first.exchange)
