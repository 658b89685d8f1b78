"""The graph service's tables and indexes in PostgreSQL, as numbered migrations.

Append new migrations to the list; never edit or reorder one that shipped.
"""

from services.common.messaging.outbox.postgres_store import MIGRATION as OUTBOX_MIGRATION
from services.common.storage.leases import MIGRATION as LEASE_MIGRATION
from services.common.storage.postgres import revision_migration

GRAPH_TABLES = """
CREATE TABLE users (
  user_id BIGINT PRIMARY KEY,
  handle TEXT NOT NULL,
  handle_key TEXT NOT NULL CONSTRAINT users_handle_key_unique UNIQUE,
  display_name TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  follower_count BIGINT NOT NULL DEFAULT 0,
  following_count BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE follows (
  seq BIGSERIAL PRIMARY KEY,
  follower_id BIGINT NOT NULL,
  followee_id BIGINT NOT NULL,
  UNIQUE (follower_id, followee_id)
);
CREATE INDEX follows_by_followee ON follows (followee_id, seq);
CREATE INDEX follows_by_follower ON follows (follower_id, seq);
"""

CELEBRITY_SINCE = "ALTER TABLE users ADD COLUMN celebrity_since BIGINT NOT NULL DEFAULT 0"  # 0: not a celebrity

BLOCKS_AND_MUTES = """
CREATE TABLE blocks (
  seq BIGSERIAL PRIMARY KEY,
  blocker_id BIGINT NOT NULL,
  blocked_id BIGINT NOT NULL,
  UNIQUE (blocker_id, blocked_id)
);
CREATE INDEX blocks_by_blocker ON blocks (blocker_id, seq);
CREATE INDEX blocks_by_blocked ON blocks (blocked_id);
CREATE TABLE mutes (
  seq BIGSERIAL PRIMARY KEY,
  muter_id BIGINT NOT NULL,
  muted_id BIGINT NOT NULL,
  UNIQUE (muter_id, muted_id)
);
CREATE INDEX mutes_by_muter ON mutes (muter_id, seq);
CREATE INDEX mutes_by_muted ON mutes (muted_id);
"""

MIGRATIONS: list[str] = [GRAPH_TABLES, OUTBOX_MIGRATION, revision_migration("users"), CELEBRITY_SINCE, BLOCKS_AND_MUTES, LEASE_MIGRATION]
