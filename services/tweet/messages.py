"""TweetViews as protobuf messages (used by every service that shows tweets)."""

from chirp.tweet.v1 import tweet_service_pb2 as pb

from services.graph.messages import user_message
from services.tweet.domain import TweetView


def tweet_message(view: TweetView) -> pb.Tweet:
    tweet = view.tweet
    message = pb.Tweet(
        tweet_id=tweet.tweet_id,
        author=user_message(view.author),
        text=tweet.text,
        in_reply_to_tweet_id=tweet.in_reply_to_tweet_id,
        like_count=tweet.like_count,
        retweet_count=tweet.retweet_count,
        reply_count=tweet.reply_count,
        viewer_liked=view.viewer_liked,
        viewer_retweeted=view.viewer_retweeted,
    )
    message.create_time.FromDatetime(tweet.created_at)
    if view.retweeted is not None:
        message.retweeted_tweet.CopyFrom(tweet_message(view.retweeted))
    return message
