"""Where messages go: the queues of a consumer, and what the bus declares for them.

The bus declares its topology again on every (re)connect; every declaration is idempotent:
- the exchange: a durable topic exchange (events are routed by key, e.g. `tweet.created`);
- for a consumer queue `<name>`: the durable queue `<name>`, bound to the exchange with each
  routing key of its spec (and unbound from the keys it no longer takes); `<name>.retry`, durable and without consumers, where a failed message
  waits for its per-message expiration and is then dead-lettered, through the default exchange,
  back to `<name>`; and `<name>.dead`, durable, where messages that used up their attempts stay
  for an operator to inspect and replay.

Queue type: all three are quorum queues by default (replicated by Raft over the cluster's nodes, a
majority must stay up; they work on a single node too), or classic ones when the setting says so.
The retry queue of a quorum queue dead-letters at least once (it needs `x-overflow: reject-publish`).
A queue that exists with another type cannot be redeclared (PRECONDITION_FAILED): the declaration
then fails with `QueueTypeMismatch`, which tells the operator what to do; nothing is renamed.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from services.common.messaging.rabbitmq.bridge import Channel, ChannelLost
from services.common.runtime.env import ConfigError

QUORUM, CLASSIC = "quorum", "classic"
PRECONDITION_FAILED = 406


class QueueTypeMismatch(ConfigError):
    """A queue exists on the broker with other arguments (usually: classic where quorum is asked for).
    A configuration error: the process stops with the message on one line."""


def checked_queue_type(queue_type: str) -> str:
    if queue_type not in (QUORUM, CLASSIC):
        raise ValueError(f"unknown RabbitMQ queue type {queue_type!r}: set CHIRP_RABBITMQ_QUEUE_TYPE to {QUORUM!r} or {CLASSIC!r}")
    return queue_type


@dataclass(frozen=True)
class QueueSpec:
    name: str
    bindings: Sequence[str] = field(default_factory=tuple)  # routing keys (topic patterns) on the bus's exchange
    unbound: Sequence[str] = field(default_factory=tuple)  # keys an earlier version bound and this one no longer takes

    @property
    def retry_queue(self) -> str:
        return f"{self.name}.retry"

    @property
    def dead_queue(self) -> str:
        return f"{self.name}.dead"

    @property
    def queues(self) -> tuple[str, str, str]:
        return self.name, self.retry_queue, self.dead_queue


async def declare_exchange(channel: Channel, exchange: str) -> None:
    await channel.call("exchange_declare", exchange=exchange, exchange_type="topic", durable=True)


async def declare_queues(channel: Channel, exchange: str, queue: QueueSpec, queue_type: str = QUORUM) -> None:
    typed = {"x-queue-type": queue_type}
    await _declare(channel, queue.name, typed, queue_type)
    for routing_key in queue.bindings:
        await channel.call("queue_bind", queue=queue.name, exchange=exchange, routing_key=routing_key)
    for routing_key in queue.unbound:  # a binding that is not there is no error
        await channel.call("queue_unbind", queue=queue.name, exchange=exchange, routing_key=routing_key)
    retry = typed | {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue.name}
    if queue_type == QUORUM:
        retry |= {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}
    await _declare(channel, queue.retry_queue, retry, queue_type)
    await _declare(channel, queue.dead_queue, typed, queue_type)


async def _declare(channel: Channel, name: str, arguments: dict[str, str], queue_type: str) -> None:
    try:
        await channel.call("queue_declare", queue=name, durable=True, arguments=arguments)
    except ChannelLost as error:
        if error.reply_code != PRECONDITION_FAILED:
            raise
        raise QueueTypeMismatch(
            f"RabbitMQ already has queue {name!r} with other arguments than a {queue_type} queue ({error.reason!r}). "
            f"Let its consumers drain it and delete it (rabbitmqctl delete_queue {name}), or use another CHIRP_BUS_NAMESPACE, "
            f"or keep the old type with CHIRP_RABBITMQ_QUEUE_TYPE") from error


async def queue_depth(channel: Channel, queue: str) -> int:
    """Ready messages in `queue` (a passive declare: on a missing queue the broker closes the channel)."""
    frame = await channel.call("queue_declare", queue=queue, passive=True)
    return frame.method.message_count


async def delete_queues(channel: Channel, names: Sequence[str]) -> None:
    for name in names:
        await channel.call("queue_delete", queue=name)


async def delete_exchange(channel: Channel, exchange: str) -> None:
    await channel.call("exchange_delete", exchange=exchange)
