"""Fan-out chunks as RabbitMQ jobs: any fanout worker may apply any chunk.

A chunk is a chirp.fanout.v1.FanoutChunk message on its own durable
queue, published with confirms; the worker acks it only after the writes
are done, so a worker killed mid-chunk leaves it to be redelivered, and
since adds and removes are idempotent, a redelivered chunk writes nothing
twice.
"""

from chirp.fanout.v1 import fanout_jobs_pb2 as pb
from services.common.messaging.rabbitmq.bus import RabbitBus
from services.common.messaging.rabbitmq.message import Message
from services.common.runtime.tracing import current_trace_headers
from services.fanout.domain import Action, Chunk

CHUNK_ROUTING_KEY = "fanout.chunk"

_ACTION_OF = {pb.FanoutChunk.ACTION_ADD: Action.ADD, pb.FanoutChunk.ACTION_REMOVE: Action.REMOVE}
_WIRE_OF = {action: wire for wire, action in _ACTION_OF.items()}


def encode(chunk: Chunk) -> bytes:
    message = pb.FanoutChunk(
        action=_WIRE_OF[chunk.action], tweet_id=chunk.tweet_id, follower_ids=chunk.follower_ids, author_id=chunk.author_id
    )
    return message.SerializeToString()


def decode(body: bytes) -> Chunk:
    message = pb.FanoutChunk.FromString(body)
    if message.action not in _ACTION_OF:
        raise ValueError(f"fan-out chunk for tweet {message.tweet_id} has no action")
    return Chunk(_ACTION_OF[message.action], message.tweet_id, tuple(message.follower_ids), message.author_id)


class RabbitChunkQueue:
    def __init__(self, bus: RabbitBus):
        self._bus = bus

    async def submit(self, chunk: Chunk) -> None:
        await self._bus.publish([Message(CHUNK_ROUTING_KEY, encode(chunk), current_trace_headers())])
