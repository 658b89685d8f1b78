"""Pooled PostgreSQL connections go back without a reset query (services/common/storage/postgres.py), which is
safe only while no SQL in the services leaves session state behind. This keeps it that way."""

import re
from pathlib import Path

SERVICES = Path(__file__).parents[2] / "services"
SESSION_STATE = {
    "a session advisory lock (use pg_advisory_xact_lock)": re.compile(r"pg_(try_)?advisory_lock(_shared)?\s*\(", re.I),
    "LISTEN": re.compile(r"[\"']\s*LISTEN\s", re.I),
    "a session SET (use SET LOCAL)": re.compile(r"[\"']\s*SET\s+(?!LOCAL\b)", re.I),
    "a temporary table": re.compile(r"CREATE\s+(TEMP|TEMPORARY)\s+TABLE", re.I),
    "a cursor declared in SQL": re.compile(r"[\"']\s*DECLARE\s", re.I),
}


def test_no_sql_in_the_services_leaves_session_state_on_a_pooled_connection():
    found = [
        f"{path.relative_to(SERVICES.parent)}:{number}: {what}"
        for path in sorted(SERVICES.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for what, pattern in SESSION_STATE.items()
        if pattern.search(line)
    ]
    assert found == []


def test_the_check_finds_what_it_looks_for():
    samples = ['"SELECT pg_advisory_lock(1)"', '"LISTEN events"', '"SET search_path = x"', '"CREATE TEMP TABLE t (x int)"']
    assert all(any(p.search(s) for p in SESSION_STATE.values()) for s in samples)
    assert not any(p.search('"SET LOCAL lock_timeout = 1"') or p.search('"UPDATE t SET x = 1"') for p in SESSION_STATE.values())
