"""The token machinery's key in Redis, written down once: deleted_accounts.py goes through here.

- `chirp:auth:deleted`: a sorted set of the accounts deleted in the last two
  days (member: the user id in decimal; score: when, in seconds since the
  epoch). Older entries are trimmed at each mark: no access token lives
  that long. Every verifier reads it into memory once a second.
"""

DELETED_ACCOUNTS_KEY = "chirp:auth:deleted"
