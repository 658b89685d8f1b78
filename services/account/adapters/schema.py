"""The account service's tables, `accounts` and `refresh_tokens`: in SQLite, and as PostgreSQL migrations (schema `account`).

Append new migrations to the list; never edit or reorder one that shipped.
"""

_TABLES = """
CREATE TABLE IF NOT EXISTS accounts (
  user_id {id} PRIMARY KEY,
  password_hash TEXT NOT NULL,
  created_at {time} NOT NULL
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  family TEXT NOT NULL,
  user_id {id} NOT NULL,
  expires_at {time} NOT NULL,
  spent BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS refresh_tokens_by_family ON refresh_tokens (family);
CREATE INDEX IF NOT EXISTS refresh_tokens_by_user ON refresh_tokens (user_id);
"""

SQLITE_SCHEMA = _TABLES.format(id="INTEGER", time="REAL")
POSTGRES_MIGRATIONS: list[str] = [_TABLES.format(id="BIGINT", time="DOUBLE PRECISION")]
