"""FanoutService over gRPC: the progress of fan-out."""

import grpc

from chirp.fanout.v1 import fanout_service_pb2 as pb
from chirp.fanout.v1 import fanout_service_pb2_grpc as pb_grpc
from services.common.rpc.server import Registration
from services.fanout.service import FanoutService


class FanoutServicer(pb_grpc.FanoutServiceServicer):
    def __init__(self, fanout: FanoutService):
        self._fanout = fanout

    async def GetFanoutStatus(
        self, request: pb.GetFanoutStatusRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetFanoutStatusResponse:
        queue = await self._fanout.queue_stats()
        counters = self._fanout.counters
        response = pb.GetFanoutStatusResponse(
            queue_depth=queue.depth,
            events_processed=counters.events_processed,
            timeline_writes=counters.timeline_writes,
            celebrity_tweets_skipped=counters.celebrity_tweets_skipped,
            dead_letters=queue.dead_letters,
            redeliveries=queue.redeliveries,
        )
        response.oldest_pending_age.FromMilliseconds(round(queue.oldest_pending_age_seconds * 1000))
        return response


def registration(fanout: FanoutService) -> Registration:
    return Registration.of(pb, "FanoutService", pb_grpc.add_FanoutServiceServicer_to_server, FanoutServicer(fanout))
