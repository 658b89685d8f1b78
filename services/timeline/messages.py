"""Cards as the contract's messages: a page of them is encoded by joining bytes, and sent as they are
(the serving layer passes a handler's bytes through, services/common/rpc/unary.py).

A message's fields may follow its encoding and are merged in, so the viewer's
flags (Tweet fields 10 and 11, and on a retweet its original's, inside field
6) are appended to a card's bytes rather than decoded and set.
"""

from collections.abc import Sequence

from chirp.timeline.v1 import timeline_service_pb2 as pb
from services.common.rpc.wire import repeated_messages, string_field
from services.timeline.domain import VIEWER_LIKED, VIEWER_RETWEETED, Card

_LIKED, _RETWEETED, _ORIGINAL = b"\x50\x01", b"\x58\x01", b"\x32"  # field tags and values
_TWEETS = pb.ListHomeTimelineResponse.TWEETS_FIELD_NUMBER
_NEXT_PAGE_TOKEN = pb.ListHomeTimelineResponse.NEXT_PAGE_TOKEN_FIELD_NUMBER


def home_response(cards: Sequence[Card], next_page_token: str) -> bytes:
    """The encoded ListHomeTimelineResponse."""
    return repeated_messages(_TWEETS, [shown_to_viewer(card) for card in cards]) + string_field(_NEXT_PAGE_TOKEN, next_page_token)


def shown_to_viewer(card: Card) -> bytes:
    flags = (_LIKED if card.viewer & VIEWER_LIKED else b"") + (_RETWEETED if card.viewer & VIEWER_RETWEETED else b"")
    if not flags:
        return card.shown
    return card.shown + flags + (_ORIGINAL + bytes([len(flags)]) + flags if card.retweet else b"")
