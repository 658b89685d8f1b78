"""The layout of the Trending service's keys in Redis, written down once: every reader and writer goes through here.

Every key carries the hash tag `{trending}`, so on a Redis Cluster they all
share one slot (one node), and the scripts may touch keys they find in a
record. Ids are packed as 8 big-endian bytes; minutes count from the Unix
epoch. Uses live RETENTION_MINUTES (the longest window and a margin).

- `chirp:{trending}:tweet:<tweet id>`: a counted tweet, `<author, 8 bytes><minute>\\n<tag>\\n<tag>...`,
  or empty once deleted (a tombstone, so a late or repeated create never counts). Expires with the retention.
- `chirp:{trending}:author:<user id>`: a set of the user's counted tweet ids (to take an account's uses out).
- `chirp:{trending}:left:<user id>`: present when the account was deleted: its later uses are refused.
- `chirp:{trending}:authors:<tag>`: a sorted set, member an author id, score the minute of their latest use of the tag.
- `chirp:{trending}:uses:<tag>`: a sorted set, member a tweet id, score its minute.
- `chirp:{trending}:tags`: a sorted set of every tag held, scored by its latest minute of use.
- `chirp:{trending}:baseline:<window>`: a hash from a minute to the window's distinct authors per tag then (JSON).
- `chirp:{trending}:ranking:<window>`: the window's published ranking (JSON).
- `chirp:{trending}:windows`: a sorted set of the windows asked for, scored by when (ms).
- `chirp:{trending}:lease`: the refresh lease: the owner's name, with a time to live.
"""

import json
import struct

from services.trending.domain import Ranking, Trend

PREFIX = "chirp:{trending}:"
TAGS_KEY = PREFIX + "tags"
WINDOWS_KEY = PREFIX + "windows"
LEASE_KEY = PREFIX + "lease"
EVERY_KEY = PREFIX + "*"  # a SCAN pattern for every key above (the benchmark clears its own with it)
_ID = struct.Struct(">Q")


def tweet_key(tweet_id: int) -> str:
    return f"{PREFIX}tweet:{tweet_id}"


def author_key(user_id: int) -> str:
    return f"{PREFIX}author:{user_id}"


def left_key(user_id: int) -> str:
    return f"{PREFIX}left:{user_id}"


def authors_key(tag: str) -> str:
    return f"{PREFIX}authors:{tag}"


def uses_key(tag: str) -> str:
    return f"{PREFIX}uses:{tag}"


def baseline_key(window: int) -> str:
    return f"{PREFIX}baseline:{window}"


def ranking_key(window: int) -> str:
    return f"{PREFIX}ranking:{window}"


def pack_id(value: int) -> bytes:
    return _ID.pack(value)


def pack_ranking(ranking: Ranking) -> str:
    trends = [[t.tag, t.score, t.authors, t.baseline, t.tweets] for t in ranking.trends]
    return json.dumps({"w": ranking.window_minutes, "at": ranking.refreshed_ms, "t": trends}, separators=(",", ":"))


def unpack_ranking(value: bytes) -> Ranking:
    raw = json.loads(value)
    return Ranking(raw["w"], raw["at"], tuple(Trend(*t) for t in raw["t"]))
