"""Messages put together from pieces already encoded: a repeated message field is its items' bytes, each
behind the field's tag and length, so a page of encoded tweets becomes a response without decoding them.
A handler may answer with such bytes as they are: the serving layer sends them unchanged (unary.py)."""

from collections.abc import Sequence

_LENGTH_DELIMITED = 2  # the wire type of a message field


def repeated_messages(field_number: int, encoded: Sequence[bytes]) -> bytes:
    """The bytes of a repeated message field holding the encoded items, in order."""
    tag = varint(field_number << 3 | _LENGTH_DELIMITED)
    out = bytearray()
    for item in encoded:
        out += tag
        out += varint(len(item))
        out += item
    return bytes(out)


def string_field(field_number: int, text: str) -> bytes:
    """The bytes of a string field (nothing for an empty one, as proto3 leaves it out)."""
    if not text:
        return b""
    encoded = text.encode()
    return varint(field_number << 3 | _LENGTH_DELIMITED) + varint(len(encoded)) + encoded


def varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)
