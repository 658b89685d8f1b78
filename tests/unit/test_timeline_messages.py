"""A home page is encoded by joining its cards' bytes: what it joins decodes as the contract's response."""

from chirp.timeline.v1 import timeline_service_pb2 as pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb2
from services.timeline.domain import VIEWER_LIKED, VIEWER_RETWEETED, Card
from services.timeline.messages import home_response


def card(tweet: tweet_pb2.Tweet, viewer: int = 0) -> Card:
    original = tweet.retweeted_tweet.tweet_id or tweet.tweet_id
    return Card(tweet.tweet_id, original, (1, 2), tweet.SerializeToString(), viewer)


def test_a_page_decodes_with_the_viewers_state_and_its_token():
    plain = tweet_pb2.Tweet(tweet_id=7, text="plain", like_count=3)
    retweet = tweet_pb2.Tweet(tweet_id=9, retweeted_tweet=tweet_pb2.Tweet(tweet_id=5, text="original"))
    response = pb.ListHomeTimelineResponse.FromString(
        home_response([card(plain, VIEWER_LIKED), card(retweet, VIEWER_LIKED | VIEWER_RETWEETED)], "next-page")
    )
    first, second = response.tweets
    assert (first.tweet_id, first.text, first.like_count, first.viewer_liked, first.viewer_retweeted) == (7, "plain", 3, True, False)
    assert second.viewer_liked and second.viewer_retweeted  # on the retweet, and on its original inside it
    assert (second.retweeted_tweet.tweet_id, second.retweeted_tweet.viewer_liked, second.retweeted_tweet.viewer_retweeted) == (5, True, True)
    assert response.next_page_token == "next-page"


def test_the_last_page_leaves_the_token_out_as_the_contract_encodes_it():
    tweet = tweet_pb2.Tweet(tweet_id=7, text="only")
    encoded = home_response([card(tweet)], "")
    assert encoded == pb.ListHomeTimelineResponse(tweets=[tweet]).SerializeToString()
    assert home_response([], "") == b""
