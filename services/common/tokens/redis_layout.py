"""The token machinery's keys in Redis, written down once: deleted_accounts.py and ended_sessions.py go through here.

- `chirp:auth:deleted`: a sorted set of the accounts deleted in the last two
  days (member: the user id in decimal; score: when, in seconds since the
  epoch). Older entries are trimmed at each mark: no access token lives
  that long. Every verifier reads it into memory once a second.
- `chirp:auth:ended-sessions`: a sorted set of the session families ended
  within one access-token lifetime plus the leeway (member: the `sid`;
  score: when). Trimmed and read the same way.
"""

DELETED_ACCOUNTS_KEY = "chirp:auth:deleted"
ENDED_SESSIONS_KEY = "chirp:auth:ended-sessions"
