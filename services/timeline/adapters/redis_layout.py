"""The layout of the Timeline service's keys in Redis, written down once: every reader and writer goes through here.

Every key carries its user or tweet id as a hash tag, so a user's keys share one Cluster slot.

- `chirp:timeline:{<user id>}`: a home timeline. A sorted set whose members
  are tweet ids packed as 8 big-endian bytes, all scored 0, so Redis orders
  members by id. Two sentinel members, ids 0 and 1, say that the timeline
  exists and that it is still being rebuilt.
- `chirp:posts:{<user id>}`: the user's own recent tweet ids (the pull lane
  and read-your-writes), laid out as a home timeline is.
- `chirp:card:{<tweet id>}`: a hydrated tweet as the contract shows it with
  no viewer state, behind the 8-byte id of the original it shows (a
  retweet's original, or itself). An empty value is a tombstone: the tweet
  is deleted or not visible.
- `chirp:reader:{<user id>}`: the reader has an account and follows these
  celebrities (packed ids; empty when none).
- `chirp:accounts:leaving`: a sorted set of accounts deleted lately (member
  the user id, score the time in ms): cards by them are hidden.
- `chirp:viewer:{<user id>}`: a hash from packed tweet id to the viewer's
  state on it, one byte (VIEWER_LIKED | VIEWER_RETWEETED bits).
"""

import struct
from collections.abc import Iterable, Sequence

_ID = struct.Struct(">Q")


def timeline_key(user_id: int) -> str:
    return f"chirp:timeline:{{{user_id}}}"


def posts_key(user_id: int) -> str:
    return f"chirp:posts:{{{user_id}}}"


def card_key(tweet_id: int) -> str:
    return f"chirp:card:{{{tweet_id}}}"


def reader_key(user_id: int) -> str:
    return f"chirp:reader:{{{user_id}}}"


def viewer_key(user_id: int) -> str:
    return f"chirp:viewer:{{{user_id}}}"


def pack_id(tweet_id: int) -> bytes:
    return _ID.pack(tweet_id)


def pack_ids(tweet_ids: Iterable[int]) -> list[bytes]:
    return [_ID.pack(i) for i in tweet_ids]


def unpack_ids(members: Sequence[bytes]) -> list[int]:
    return [_ID.unpack(m)[0] for m in members]


def pack_id_list(ids: Sequence[int]) -> bytes:
    return b"".join(pack_ids(ids))


def unpack_id_list(value: bytes) -> list[int]:
    return [i for (i,) in _ID.iter_unpack(value)]


def pack_card(original_id: int, shown: bytes) -> bytes:
    return _ID.pack(original_id) + shown


def unpack_card(value: bytes) -> tuple[int, bytes]:
    return _ID.unpack_from(value)[0], value[_ID.size :]


LEAVING_KEY = "chirp:accounts:leaving"
EXISTS = pack_id(0)
BUILDING = pack_id(1)
TOMBSTONE = b""
VIEWER_LIKED, VIEWER_RETWEETED = 1, 2
