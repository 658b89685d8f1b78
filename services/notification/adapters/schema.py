"""Notification's tables, `notification_groups`, `notification_actors` and `notification_reads`: in SQLite,
and as PostgreSQL migrations (schema `notification`). Owned by sql_store.py.

Append new migrations to the list; never edit or reorder one that shipped.
"""

_TABLES = """
CREATE TABLE IF NOT EXISTS notification_groups (
  group_id {serial} PRIMARY KEY,
  recipient_id {id} NOT NULL,
  kind SMALLINT NOT NULL,
  subject_id {id} NOT NULL,
  bucket {id} NOT NULL,
  actor_count {id} NOT NULL,
  first_at {id} NOT NULL,
  last_at {id} NOT NULL,
  position {id} NOT NULL,
  UNIQUE (recipient_id, kind, subject_id, bucket)
);
CREATE INDEX IF NOT EXISTS notification_groups_by_position ON notification_groups (recipient_id, position);
CREATE INDEX IF NOT EXISTS notification_groups_by_subject ON notification_groups (subject_id);
CREATE TABLE IF NOT EXISTS notification_actors (
  group_id {id} NOT NULL,
  actor_id {id} NOT NULL,
  cause_id {id} NOT NULL,
  at_ms {id} NOT NULL,
  PRIMARY KEY (group_id, actor_id)
);
CREATE INDEX IF NOT EXISTS notification_actors_by_actor ON notification_actors (actor_id);
CREATE INDEX IF NOT EXISTS notification_actors_by_cause ON notification_actors (cause_id) WHERE cause_id <> 0;
CREATE TABLE IF NOT EXISTS notification_reads (
  recipient_id {id} PRIMARY KEY,
  position {id} NOT NULL
);
"""

SQLITE_SCHEMA = _TABLES.format(id="INTEGER", serial="INTEGER")
POSTGRES_MIGRATIONS: list[str] = [_TABLES.format(id="BIGINT", serial="BIGSERIAL")]
