"""TweetService over gRPC: requests in, domain calls, messages out."""

import grpc

from chirp.tweet.v1 import tweet_service_pb2 as pb
from chirp.tweet.v1 import tweet_service_pb2_grpc as pb_grpc
from services.common.kernel.pagination import PageLimits, PageTokens
from services.common.rpc.auth import acting_user, require_user
from services.common.rpc.server import Registration
from services.common.rpc.wire import repeated_messages, string_field
from services.tweet.messages import tweet_message
from services.tweet.service import TweetService

TWEET_PAGES = PageLimits(default=20, maximum=100)
_TWEETS = pb.ListUserTweetsResponse.TWEETS_FIELD_NUMBER
_NEXT_PAGE_TOKEN = pb.ListUserTweetsResponse.NEXT_PAGE_TOKEN_FIELD_NUMBER

Context = grpc.aio.ServicerContext


class TweetServicer(pb_grpc.TweetServiceServicer):
    def __init__(self, tweets: TweetService, tokens: PageTokens):
        self._tweets = tweets
        self._tokens = tokens

    async def CreateTweet(self, request: pb.CreateTweetRequest, context: Context) -> pb.CreateTweetResponse:
        view = await self._tweets.create(require_user(context), request.text, request.in_reply_to_tweet_id)
        return pb.CreateTweetResponse(tweet=tweet_message(view))

    async def GetTweet(self, request: pb.GetTweetRequest, context: Context) -> pb.GetTweetResponse:
        view = await self._tweets.get(acting_user(context), request.tweet_id)
        return pb.GetTweetResponse(tweet=tweet_message(view))

    async def BatchGetTweets(self, request: pb.BatchGetTweetsRequest, context: Context) -> pb.BatchGetTweetsResponse:
        views = await self._tweets.batch_get(acting_user(context), list(request.tweet_ids))
        return pb.BatchGetTweetsResponse(tweets=[tweet_message(v) for v in views])

    async def DeleteTweet(self, request: pb.DeleteTweetRequest, context: Context) -> pb.DeleteTweetResponse:
        await self._tweets.delete(require_user(context), request.tweet_id)
        return pb.DeleteTweetResponse()

    async def ListUserTweets(self, request: pb.ListUserTweetsRequest, context: Context) -> pb.ListUserTweetsResponse | bytes:
        scope = f"tweet/by-user/{request.user_id}"
        viewer_id, page_request = acting_user(context), self._page(scope, request)
        kept = await self._tweets.kept_user_tweets(viewer_id, request.user_id, page_request)
        if kept is not None:  # already encoded: joined and sent, not decoded and encoded again
            next_token = string_field(_NEXT_PAGE_TOKEN, self._tokens.next_token(scope, kept.next_cursor))
            return repeated_messages(_TWEETS, [shown.encoded for shown in kept.items]) + next_token
        page = await self._tweets.user_tweets(viewer_id, request.user_id, page_request)
        return pb.ListUserTweetsResponse(
            tweets=[tweet_message(v) for v in page.items], next_page_token=self._tokens.next_token(scope, page.next_cursor)
        )

    async def ListRecentTweetIds(
        self, request: pb.ListRecentTweetIdsRequest, context: Context
    ) -> pb.ListRecentTweetIdsResponse:
        ids = await self._tweets.recent_ids(
            list(request.author_ids), request.before_tweet_id or None, request.limit, request.include_deleted
        )
        return pb.ListRecentTweetIdsResponse(tweet_ids=ids)

    async def ScanTweets(self, request: pb.ScanTweetsRequest, context: Context) -> pb.ScanTweetsResponse:
        tweets = await self._tweets.scan(request.after_tweet_id, request.limit)
        return pb.ScanTweetsResponse(
            tweets=[pb.ScannedTweet(tweet_id=t.tweet_id, author_id=t.author_id, text=t.text) for t in tweets]
        )

    async def ListReplies(self, request: pb.ListRepliesRequest, context: Context) -> pb.ListRepliesResponse:
        scope = f"tweet/replies/{request.tweet_id}"
        page = await self._tweets.replies(acting_user(context), request.tweet_id, self._page(scope, request))
        return pb.ListRepliesResponse(
            tweets=[tweet_message(v) for v in page.items], next_page_token=self._tokens.next_token(scope, page.next_cursor)
        )

    async def LikeTweet(self, request: pb.LikeTweetRequest, context: Context) -> pb.LikeTweetResponse:
        view = await self._tweets.like(require_user(context), request.tweet_id)
        return pb.LikeTweetResponse(tweet=tweet_message(view))

    async def UnlikeTweet(self, request: pb.UnlikeTweetRequest, context: Context) -> pb.UnlikeTweetResponse:
        view = await self._tweets.unlike(require_user(context), request.tweet_id)
        return pb.UnlikeTweetResponse(tweet=tweet_message(view))

    async def Retweet(self, request: pb.RetweetRequest, context: Context) -> pb.RetweetResponse:
        view = await self._tweets.retweet(require_user(context), request.tweet_id)
        return pb.RetweetResponse(tweet=tweet_message(view))

    async def UndoRetweet(self, request: pb.UndoRetweetRequest, context: Context) -> pb.UndoRetweetResponse:
        await self._tweets.undo_retweet(require_user(context), request.tweet_id)
        return pb.UndoRetweetResponse()

    def _page(self, scope: str, request):
        return self._tokens.request(scope, TWEET_PAGES, request.page_size, request.page_token)


def registration(tweets: TweetService, tokens: PageTokens) -> Registration:
    return Registration.of(pb, "TweetService", pb_grpc.add_TweetServiceServicer_to_server, TweetServicer(tweets, tokens))
