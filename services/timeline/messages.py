"""Cards as the contract's messages: a page of them is encoded by joining bytes, and parsed once.

A message's fields may follow its encoding and are merged in, so the viewer's
flags (Tweet fields 10 and 11, and on a retweet its original's, inside field
6) are appended to a card's bytes rather than decoded and set.
"""

from collections.abc import Sequence

from chirp.timeline.v1 import timeline_service_pb2 as pb
from services.timeline.domain import VIEWER_LIKED, VIEWER_RETWEETED, Card

_LIKED, _RETWEETED, _ORIGINAL, _TWEETS = b"\x50\x01", b"\x58\x01", b"\x32", 0x0A  # field tags and values


def home_response(cards: Sequence[Card], next_page_token: str) -> pb.ListHomeTimelineResponse:
    encoded = bytearray()
    for card in cards:
        shown = shown_to_viewer(card)
        encoded.append(_TWEETS)
        encoded += _varint(len(shown))
        encoded += shown
    response = pb.ListHomeTimelineResponse.FromString(bytes(encoded))
    response.next_page_token = next_page_token
    return response


def shown_to_viewer(card: Card) -> bytes:
    flags = (_LIKED if card.viewer & VIEWER_LIKED else b"") + (_RETWEETED if card.viewer & VIEWER_RETWEETED else b"")
    if not flags:
        return card.shown
    return card.shown + flags + (_ORIGINAL + bytes([len(flags)]) + flags if card.retweet else b"")


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)
