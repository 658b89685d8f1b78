"""Where messages go: the queues of a consumer, and what the bus declares for them.

The bus declares its topology again on every (re)connect; every declaration is idempotent:
- the exchange: a durable topic exchange (events are routed by key, e.g. `tweet.created`);
- for a consumer queue `<name>`: the durable queue `<name>`, bound to the exchange with each
  routing key of its spec; `<name>.retry`, durable and without consumers, where a failed message
  waits for its per-message expiration and is then dead-lettered, through the default exchange,
  back to `<name>`; and `<name>.dead`, durable, where messages that used up their attempts stay
  for an operator to inspect and replay.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from services.common.messaging.rabbitmq.bridge import Channel


@dataclass(frozen=True)
class QueueSpec:
    name: str
    bindings: Sequence[str] = field(default_factory=tuple)  # routing keys (topic patterns) on the bus's exchange

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


async def declare_queues(channel: Channel, exchange: str, queue: QueueSpec) -> None:
    await channel.call("queue_declare", queue=queue.name, durable=True)
    for routing_key in queue.bindings:
        await channel.call("queue_bind", queue=queue.name, exchange=exchange, routing_key=routing_key)
    retry_arguments = {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue.name}
    await channel.call("queue_declare", queue=queue.retry_queue, durable=True, arguments=retry_arguments)
    await channel.call("queue_declare", queue=queue.dead_queue, durable=True)


async def queue_depth(channel: Channel, queue: str) -> int:
    """Ready messages in `queue` (a passive declare: on a missing queue the broker closes the channel)."""
    frame = await channel.call("queue_declare", queue=queue, passive=True)
    return frame.method.message_count


async def delete_queues(channel: Channel, names: Sequence[str]) -> None:
    for name in names:
        await channel.call("queue_delete", queue=name)


async def delete_exchange(channel: Channel, exchange: str) -> None:
    await channel.call("exchange_delete", exchange=exchange)
