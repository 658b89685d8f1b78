"""TweetViews as protobuf messages and back; the author travels as the graph contract's User."""

from datetime import timezone

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.tweet.v1 import tweet_service_pb2 as pb
from services.tweet.domain import Author, Tweet, TweetView


def tweet_message(view: TweetView) -> pb.Tweet:
    tweet = view.tweet
    message = pb.Tweet(
        tweet_id=tweet.tweet_id,
        author=author_message(view.author),
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


def view_from_message(message: pb.Tweet) -> TweetView:
    retweeted = view_from_message(message.retweeted_tweet) if message.HasField("retweeted_tweet") else None
    tweet = Tweet(
        tweet_id=message.tweet_id,
        author_id=message.author.user_id,
        text=message.text,
        in_reply_to_tweet_id=message.in_reply_to_tweet_id,
        retweet_of_tweet_id=retweeted.tweet.tweet_id if retweeted else 0,
        like_count=message.like_count,
        retweet_count=message.retweet_count,
        reply_count=message.reply_count,
    )
    return TweetView(tweet, author_from_message(message.author), retweeted, message.viewer_liked, message.viewer_retweeted)


def author_message(author: Author) -> graph_pb.User:
    message = graph_pb.User(
        user_id=author.user_id,
        handle=author.handle,
        display_name=author.display_name,
        follower_count=author.follower_count,
        following_count=author.following_count,
        celebrity=author.celebrity,
    )
    message.create_time.FromDatetime(author.created_at)
    return message


def author_from_message(message: graph_pb.User) -> Author:
    return Author(
        user_id=message.user_id,
        handle=message.handle,
        display_name=message.display_name,
        created_at=message.create_time.ToDatetime(tzinfo=timezone.utc),
        follower_count=message.follower_count,
        following_count=message.following_count,
        celebrity=message.celebrity,
    )
