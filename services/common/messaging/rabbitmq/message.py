"""A message as the bus publishes it and its consumers receive it."""

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    routing_key: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    exchange: str | None = None  # None: the bus's exchange; "": the default exchange (routing key = queue name)
    expiration_ms: int | None = None  # per-message TTL in the queue
    mandatory: bool = False  # if no queue takes it, the publish fails instead of the message vanishing
