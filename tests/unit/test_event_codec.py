import pytest

from services.common.kernel.events import (
    TweetCreated,
    TweetDeleted,
    TweetLiked,
    TweetUnliked,
    UserBlocked,
    UserDeleted,
    UserFollowed,
    UserMuted,
    UserUnblocked,
    UserUnfollowed,
    UserUnmuted,
)
from services.common.messaging import codec as event_codec

EVENTS = [
    TweetCreated(1, 2, "hi #tag", in_reply_to_tweet_id=3, author_below_line=True),
    TweetCreated(4, 5, retweet_of_tweet_id=1),
    TweetDeleted(1, 2),
    UserFollowed(1, 2),
    UserUnfollowed(1, 2),
    UserDeleted(9),
    TweetLiked(1, 2),
    TweetUnliked(1, 2),
    UserBlocked(1, 2),
    UserUnblocked(1, 2),
    UserMuted(3, 4),
    UserUnmuted(3, 4),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_every_event_round_trips_through_its_protobuf_envelope(event):
    assert event_codec.decode(event_codec.encode(event, event_id=77)) == event


def test_an_empty_envelope_is_refused():
    with pytest.raises(ValueError, match="no payload"):
        event_codec.decode(b"")
