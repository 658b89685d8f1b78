"""The layout of the hidden-accounts copies in Redis, written down once: every reader and writer goes through here.

- `chirp:hidden:{<user id>}` (the id as 16 hex digits, in a hash tag like the
  Timeline service's keys, so a script may read it with the user's other
  keys): the accounts hidden from the user, as the Graph service last gave
  them. A 4-byte big-endian count of the blocked ids, then the blocked ids
  (blocked either way), then the muted ones, each packed as 8 big-endian
  bytes. `LUA_HIDDEN` reads it in a script.
"""

import struct

from services.common.visibility.rules import HiddenAccounts

_COUNT, _ID = struct.Struct(">I"), struct.Struct(">Q")


def hidden_key(user_id: int) -> str:
    return f"chirp:hidden:{{{user_id:016x}}}"


def pack_hidden(hidden: HiddenAccounts) -> bytes:
    blocked, muted = sorted(hidden.blocked), sorted(hidden.muted)
    return _COUNT.pack(len(blocked)) + b"".join(_ID.pack(i) for i in [*blocked, *muted])


def unpack_hidden(value: bytes) -> HiddenAccounts:
    (count,) = _COUNT.unpack_from(value)
    ids = [i for (i,) in _ID.iter_unpack(value[_COUNT.size :])]
    return HiddenAccounts(frozenset(ids[:count]), frozenset(ids[count:]))


# hidden_into(set, key): adds the packed ids of every account in the key's copy (blocked either way, and muted:
# what rules.py hides on Surface.HOME, the one surface a script serves) to the set (a table of packed id -> true);
# false when the copy is not kept.
LUA_HIDDEN = """
local function hidden_into(set, hidden_key)
  local value = redis.call('GET', hidden_key)
  if not value then return false end
  for i = 5, #value, 8 do set[string.sub(value, i, i + 7)] = true end
  return true
end
"""
