"""The graph service's tables and indexes in SQLite."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
  user_id INTEGER PRIMARY KEY,
  handle TEXT NOT NULL,
  handle_key TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  created_at REAL NOT NULL,
  follower_count INTEGER NOT NULL DEFAULT 0,
  following_count INTEGER NOT NULL DEFAULT 0,
  celebrity_since INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS follows (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  follower_id INTEGER NOT NULL,
  followee_id INTEGER NOT NULL,
  UNIQUE (follower_id, followee_id)
);
CREATE INDEX IF NOT EXISTS follows_by_followee ON follows (followee_id, seq);
CREATE INDEX IF NOT EXISTS follows_by_follower ON follows (follower_id, seq);
CREATE TABLE IF NOT EXISTS blocks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  blocker_id INTEGER NOT NULL,
  blocked_id INTEGER NOT NULL,
  UNIQUE (blocker_id, blocked_id)
);
CREATE INDEX IF NOT EXISTS blocks_by_blocker ON blocks (blocker_id, seq);
CREATE INDEX IF NOT EXISTS blocks_by_blocked ON blocks (blocked_id);
CREATE TABLE IF NOT EXISTS mutes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  muter_id INTEGER NOT NULL,
  muted_id INTEGER NOT NULL,
  UNIQUE (muter_id, muted_id)
);
CREATE INDEX IF NOT EXISTS mutes_by_muter ON mutes (muter_id, seq);
CREATE INDEX IF NOT EXISTS mutes_by_muted ON mutes (muted_id);
"""

# Columns added since the first release, for database files made before them: (table, column, definition).
ADDED_COLUMNS = [("users", "celebrity_since", "INTEGER NOT NULL DEFAULT 0")]
