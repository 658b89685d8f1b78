"""Tweets as other services reach them over gRPC: the timeline's TweetSource and fan-out's AuthorTweets."""

import asyncio
from collections.abc import Sequence

import grpc

from chirp.tweet.v1 import tweet_service_pb2 as pb
from chirp.tweet.v1 import tweet_service_pb2_grpc as pb_grpc
from services.common.rpc.auth import forwarded_for
from services.common.rpc.remote import INTERNAL_CALL_SECONDS, calling
from services.tweet.domain import MAX_BATCH_TWEETS, Tweet, TweetView
from services.tweet.messages import view_from_message

SERVICE = "tweet"


class RemoteTweets:
    def __init__(self, channel: grpc.aio.Channel):
        self._stub = pb_grpc.TweetServiceStub(channel)

    async def recent_ids(
        self, author_ids: Sequence[int], before: int | None, limit: int, include_deleted: bool = False
    ) -> list[int]:
        if not author_ids:
            return []
        request = pb.ListRecentTweetIdsRequest(
            author_ids=author_ids, before_tweet_id=before or 0, limit=limit, include_deleted=include_deleted
        )
        with calling(SERVICE):
            return list((await self._stub.ListRecentTweetIds(request, timeout=INTERNAL_CALL_SECONDS)).tweet_ids)

    async def ids_ever_posted_by(self, author_id: int, limit: int) -> list[int]:
        return await self.recent_ids([author_id], None, limit, include_deleted=True)

    async def scan(self, after: int, limit: int) -> list[Tweet]:
        with calling(SERVICE):
            response = await self._stub.ScanTweets(pb.ScanTweetsRequest(after_tweet_id=after, limit=limit), timeout=INTERNAL_CALL_SECONDS)
        return [Tweet(t.tweet_id, t.author_id, t.text) for t in response.tweets]

    async def hydrate(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[TweetView]:
        """Visible tweets among the ids, in order: batches of the service's limit, fetched at once."""
        batches = [tweet_ids[i : i + MAX_BATCH_TWEETS] for i in range(0, len(tweet_ids), MAX_BATCH_TWEETS)]
        pages = await asyncio.gather(*(self._batch_get(viewer_id, batch) for batch in batches))
        return [view for page in pages for view in page]

    async def _batch_get(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[TweetView]:
        request = pb.BatchGetTweetsRequest(tweet_ids=tweet_ids)
        with calling(SERVICE):
            response = await self._stub.BatchGetTweets(request, metadata=forwarded_for(viewer_id), timeout=INTERNAL_CALL_SECONDS)
        return [view_from_message(message) for message in response.tweets]
