"""The layout of the Timeline service's keys in Redis, written down once: every reader and writer goes through here.

Every key carries its user or tweet id, as 16 hex digits, in a hash tag: a user's keys share one
Cluster slot, and a script can name a key from a packed id (Lua's numbers can't hold 64 bits).

- `chirp:home:{<user id>}`: a home timeline. A list: first a state
  (EXISTS or BUILDING, 8 bytes: ids 0 and 1, which no tweet has) saying
  that the timeline exists and whether it is still being rebuilt, then tweet
  ids packed as 8 big-endian bytes, newest first, each once, at most the
  timeline's length. A list without its state at the head is no timeline.
  A fresh id (above the newest) goes in at the head, after the state, in
  O(1); trimming drops the oldest from the tail; an older id is placed in
  order. `LUA_LISTS` reads one in a script.
- `chirp:recent:{<user id>}`: the user's own recent tweet ids (the pull lane
  and read-your-writes), laid out as a home timeline is.
- `chirp:head:{<user id>}`: a packed id never below the newest in the
  user's `chirp:recent` list while the head exists (raised before any id
  goes into the list, never lowered; it lapses an hour after it was made):
  the home page script opens a celebrity's list only when its merge
  reaches the head. Without it, the list is opened at once.
- `chirp:card:{<tweet id>}`: a hydrated tweet as the contract encodes it
  with no viewer state, behind three packed ids: the original it shows (a
  retweet's original, or itself), its author and the original's author.
  An empty value is a tombstone: the tweet is deleted or not visible.
- `chirp:reader:{<user id>}`: the reader has an account and follows these
  celebrities (packed ids; empty when none).
- `chirp:accounts:leaving`: a sorted set of accounts deleted lately (member
  the packed user id, score the time in ms): cards by them are hidden.
- `chirp:viewer:{<user id>}`: a hash from packed tweet id to the viewer's
  state on it, one byte (the domain's VIEWER_LIKED | VIEWER_RETWEETED bits),
  and, under `born`, the packed id above which a tweet it lacks has no state
  of the viewer's (`read_model.states_born`).
- `chirp:kept:{<user id>}`: the reader's first home page as last answered
  (`redis_home.py` keeps it): the length of its stamp (4 bytes, big-endian),
  the stamp, then the encoded response. It lives KEPT_PAGE_SECONDS.
- `chirp:stamp:{<user id>}`: the reader's serial while nothing their first
  page is read from has changed: every write to their home timeline or own
  posts list (in the same script: `redis_timeline_scripts.py`) and to their
  viewer state (`redis_notices.py`) deletes it, so a page kept under it is
  not shown again.
- `chirp:pages:serial`: the counter serials are drawn from (never reused).
- `chirp:pages:epoch`: a counter raised with every delete's tombstones and
  every account deleted (`redis_notices.py`), so no kept page made before
  shows them. A tombstone a read writes back raises nothing: its delete did.
"""

import struct
from collections.abc import Iterable, Sequence

_ID, _STAMP_LENGTH = struct.Struct(">Q"), struct.Struct(">I")
_CARD_HEAD = struct.Struct(">QQQ")
POSTS_PREFIX, HEAD_PREFIX, CARD_PREFIX = "chirp:recent:{", "chirp:head:{", "chirp:card:{"


def _tag(some_id: int) -> str:
    return f"{some_id:016x}"


# The same, in a script that holds a packed id: key(POSTS_PREFIX, HEAD_PREFIX or CARD_PREFIX, packed id).
LUA_KEY = "local function key(prefix, id) return prefix .. string.format('%08x%08x}', struct.unpack('>I4>I4', id)) end\n"

# A timeline (or posts) list, in a script. older(a, b): packed id a is below b (as two exact 32-bit halves:
# Lua's numbers hold 53 bits, and its string order follows the server's locale).
# list_from(list, bound, count): where the list's ids below the packed id `bound` ('' for no bound) start
# (the list index of the first), and the first `count` of them, newest first; nil when the list is missing
# or being built. Below a bound, a binary search. The ids after them start at that index + their number.
# ids_below(list, bound, count): only those ids.
LUA_LISTS = """
local EXISTS, BUILDING = string.rep('\\0', 8), string.rep('\\0', 7) .. '\\1'
local function older(a, b)
  local ah, al = struct.unpack('>I4>I4', a)
  local bh, bl = struct.unpack('>I4>I4', b)
  return ah < bh or (ah == bh and al < bl)
end
local function list_from(list, bound, count)
  if bound == '' then
    local ids = redis.call('LRANGE', list, 0, count)
    if ids[1] ~= EXISTS then return nil end
    table.remove(ids, 1)
    return 1, ids
  end
  if redis.call('LINDEX', list, 0) ~= EXISTS then return nil end
  local low, high = 1, redis.call('LLEN', list)
  while low < high do
    local middle = math.floor((low + high) / 2)
    if older(redis.call('LINDEX', list, middle), bound) then high = middle else low = middle + 1 end
  end
  if count < 1 then return low, {} end
  return low, redis.call('LRANGE', list, low, low + count - 1)
end
local function ids_below(list, bound, count)
  local _, ids = list_from(list, bound, count)
  return ids
end
"""


def timeline_key(user_id: int) -> str:
    return f"chirp:home:{{{_tag(user_id)}}}"


def posts_key(user_id: int) -> str:
    return f"{POSTS_PREFIX}{_tag(user_id)}}}"


def head_key(user_id: int) -> str:
    return f"{HEAD_PREFIX}{_tag(user_id)}}}"


def card_key(tweet_id: int) -> str:
    return f"{CARD_PREFIX}{_tag(tweet_id)}}}"


def reader_key(user_id: int) -> str:
    return f"chirp:reader:{{{_tag(user_id)}}}"


def viewer_key(user_id: int) -> str:
    return f"chirp:viewer:{{{_tag(user_id)}}}"


def kept_page_key(user_id: int) -> str:
    return f"chirp:kept:{{{_tag(user_id)}}}"


def stamp_key(user_id: int) -> str:
    return f"chirp:stamp:{{{_tag(user_id)}}}"


def pack_id(tweet_id: int) -> bytes:
    return _ID.pack(tweet_id)


def pack_ids(tweet_ids: Iterable[int]) -> list[bytes]:
    return [_ID.pack(i) for i in tweet_ids]


def unpack_id(member: bytes) -> int:
    return _ID.unpack(member)[0]


def unpack_ids(members: Sequence[bytes]) -> list[int]:
    return [_ID.unpack(m)[0] for m in members]


def pack_id_list(ids: Sequence[int]) -> bytes:
    return b"".join(pack_ids(ids))


def unpack_id_list(value: bytes) -> list[int]:
    return [i for (i,) in _ID.iter_unpack(value)]


def pack_kept_page(stamp: bytes, response: bytes) -> bytes:
    return _STAMP_LENGTH.pack(len(stamp)) + stamp + response


def pack_card(original_id: int, authors: tuple[int, int], shown: bytes) -> bytes:
    return _CARD_HEAD.pack(original_id, *authors) + shown


def unpack_card(value: bytes) -> tuple[int, tuple[int, int], bytes]:
    """The original's id, the authors (the tweet's and the original's), and the tweet's bytes."""
    original_id, author_id, original_author_id = _CARD_HEAD.unpack_from(value)
    return original_id, (author_id, original_author_id), value[_CARD_HEAD.size :]


LEAVING_KEY = "chirp:accounts:leaving"
SERIAL_KEY, EPOCH_KEY = "chirp:pages:serial", "chirp:pages:epoch"
BORN_FIELD = b"born"  # in a viewer's hash: never a packed id (8 bytes)
EXISTS = pack_id(0)
BUILDING = pack_id(1)
TOMBSTONE = b""
