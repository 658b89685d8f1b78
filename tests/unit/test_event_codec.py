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


@pytest.mark.parametrize("post, key", [
    (TweetCreated(1, 2, "hi #tag"), "tweet.created"),
    (TweetCreated(1, 2, "mail me at bob@example.com"), "tweet.created"),
    (TweetCreated(1, 2, "hi @bob"), "tweet.created.addressed"),
    (TweetCreated(1, 2, "sure", in_reply_to_tweet_id=3), "tweet.created.addressed"),
    (TweetCreated(1, 2, retweet_of_tweet_id=3), "tweet.created.addressed"),
], ids=["plain", "an-address", "mention", "reply", "retweet"])  # fmt: skip
def test_a_post_that_addresses_someone_carries_it_in_its_routing_key(post, key):
    assert event_codec.routing_key_of(event_codec.encode(post)) == key


def test_bindings_take_every_post_or_only_the_addressed_ones_and_drop_the_binding_that_took_all():
    assert event_codec.bindings([TweetCreated, UserDeleted]) == (["tweet.created.#", "user.deleted"], [])
    assert event_codec.bindings([TweetCreated, UserDeleted], addressed_posts_only=True) == (
        ["tweet.created.addressed", "user.deleted"], ["tweet.created"])  # fmt: skip
    assert event_codec.bindings([UserDeleted], addressed_posts_only=True) == (["user.deleted"], [])
