"""The `chirp` commands of the tweet service: posting, replies, likes, retweets, deleting, a user's tweets."""

from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import render
from chirp_client.session import Session


def post(s: Session, a) -> str:
    tweet = s.client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text=a.text), metadata=s.me()).tweet
    return render.tweet_block(tweet)


def reply(s: Session, a) -> str:
    request = tweet_pb.CreateTweetRequest(text=a.text, in_reply_to_tweet_id=a.tweet_id)
    return render.tweet_block(s.client.tweet.CreateTweet(request, metadata=s.me()).tweet)


def like(s: Session, a) -> str:
    return render.tweet_block(s.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=a.tweet_id), metadata=s.me()).tweet)


def unlike(s: Session, a) -> str:
    request = tweet_pb.UnlikeTweetRequest(tweet_id=a.tweet_id)
    return render.tweet_block(s.client.tweet.UnlikeTweet(request, metadata=s.me()).tweet)


def retweet(s: Session, a) -> str:
    return render.tweet_block(s.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=a.tweet_id), metadata=s.me()).tweet)


def unretweet(s: Session, a) -> str:
    s.client.tweet.UndoRetweet(tweet_pb.UndoRetweetRequest(tweet_id=a.tweet_id), metadata=s.me())
    return f"undid your retweet of {a.tweet_id}"


def delete(s: Session, a) -> str:
    s.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=a.tweet_id), metadata=s.me())
    return f"deleted tweet {a.tweet_id}"


def tweets(s: Session, a) -> str:
    request = tweet_pb.ListUserTweetsRequest(user_id=s.user(a.handle).user_id, page_size=a.limit, page_token=a.page_token)
    page = s.client.tweet.ListUserTweets(request, metadata=s.optional_me())
    return render.tweet_list(page.tweets, page.next_page_token)


def replies(s: Session, a) -> str:
    request = tweet_pb.ListRepliesRequest(tweet_id=a.tweet_id, page_size=a.limit, page_token=a.page_token)
    page = s.client.tweet.ListReplies(request, metadata=s.optional_me())
    return render.tweet_list(page.tweets, page.next_page_token)
