"""Messages put together from pieces already encoded: a repeated message field is its items' bytes, each
behind the field's tag and length, so a page of encoded tweets becomes a response without decoding them."""

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


def varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)
