"""The layout of a home timeline in Redis, written down once: every reader and writer goes through here.

One sorted set per user, `chirp:timeline:{<user id>}` (the hash tag keeps a
user's keys in one Cluster slot). Each member is a tweet id packed as 8
big-endian bytes, all scored 0, so Redis orders members by id. Two sentinel
members, ids 0 and 1, say that the timeline exists and that it is still
being rebuilt.
"""

import struct
from collections.abc import Iterable, Sequence

_ID = struct.Struct(">Q")


def timeline_key(user_id: int) -> str:
    return f"chirp:timeline:{{{user_id}}}"


def pack_id(tweet_id: int) -> bytes:
    return _ID.pack(tweet_id)


def pack_ids(tweet_ids: Iterable[int]) -> list[bytes]:
    return [_ID.pack(i) for i in tweet_ids]


def unpack_ids(members: Sequence[bytes]) -> list[int]:
    return [_ID.unpack(m)[0] for m in members]


EXISTS = pack_id(0)
BUILDING = pack_id(1)
