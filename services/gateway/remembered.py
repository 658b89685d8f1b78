"""What the gateway's printer (render.py) prints once and remembers: the elements of repeated message fields, and Timestamps.

A page of a timeline is mostly tweets that other pages printed already,
and the same tweets' times come again and again: printing an element took
most of a home read's printing, and formatting a Timestamp a tenth of the
gateway's time on a home read (py-spy). Each memory is bounded: when
full, it starts over.
"""

import time
from collections.abc import Callable

from google.protobuf.message import Message

ELEMENTS_KEPT = 4_096  # printed elements remembered, per field of a repeated message
TIMESTAMPS_KEPT = 16_384  # instants whose text is remembered
_YEAR_10000 = 253_402_300_800  # seconds since the epoch at 10000-01-01, past Timestamp's range
_timestamp_texts: dict[tuple[int, int], str] = {}


def remembered_by_bytes(printers: dict[str, Callable[[Message], object]], full_name: str) -> Callable[[Message], object]:
    """The printer of a repeated field's elements, each output remembered by the element's bytes (equal bytes, equal JSON).

    Serializing an element (upb, in C) costs a fraction of printing it in
    Python. The outputs are shared between responses, and only read (orjson).
    """
    printed: dict[bytes, object] = {}

    def render(message: Message):
        key = message.SerializeToString()
        out = printed.get(key)
        if out is None:
            if len(printed) >= ELEMENTS_KEPT:
                printed.clear()
            out = printed[key] = printers[full_name](message)
        return out

    return render


def timestamp_text(message) -> str:
    """Timestamp.ToJsonString's text, remembered by instant: the same tweets' times are printed again and again."""
    instant = (message.seconds, message.nanos)
    text = _timestamp_texts.get(instant)
    if text is None:
        text = _formatted(*instant)
        if text is None:
            return message.ToJsonString()  # before 1970, or invalid: protobuf's own checks and words
        if len(_timestamp_texts) >= TIMESTAMPS_KEPT:
            _timestamp_texts.clear()
        _timestamp_texts[instant] = text
    return text


def _formatted(seconds: int, nanos: int) -> str | None:
    """RFC 3339, UTC, 0, 3, 6 or 9 digits of fraction, from C's gmtime; None outside 1970 to 9999 or for invalid nanos."""
    if not 0 <= seconds < _YEAR_10000 or not 0 <= nanos < 1_000_000_000:
        return None
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % time.gmtime(seconds)[:6]
    if nanos == 0:
        return text + "Z"
    if nanos % 1_000_000 == 0:
        return "%s.%03dZ" % (text, nanos // 1_000_000)
    if nanos % 1_000 == 0:
        return "%s.%06dZ" % (text, nanos // 1_000)
    return "%s.%09dZ" % (text, nanos)
