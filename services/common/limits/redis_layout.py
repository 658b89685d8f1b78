"""The layout of the rate limiter's keys in Redis, written down once: redis_buckets.py goes through here.

- `chirp:limit:{<user id>}:<action>`: one user's token bucket for one
  action (`post`, `follow`, `like`, `login`); for `login_address` (and a
  login to a handle that names no account) the id is 63 bits of a hash of
  the address (or handle), `buckets.key_of`. A hash: `tokens` (a decimal number,
  fractions kept) and `at` (the milliseconds since the epoch they were
  counted at). It expires once it would have refilled completely, since a
  full bucket is the same as none. The user id is 16 hex digits in a hash
  tag, so a user's buckets share one Cluster slot.
"""


def bucket_key(user_id: int, action: str) -> str:
    return f"chirp:limit:{{{user_id:016x}}}:{action}"
