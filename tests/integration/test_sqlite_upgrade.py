"""A database file made before a column existed gets the column when the mesh opens it."""

import aiosqlite

from services.mesh.bootstrap import bootstrap
from tests.conftest import make_settings

FIRST_USERS_TABLE = """
CREATE TABLE users (
  user_id INTEGER PRIMARY KEY, handle TEXT NOT NULL, handle_key TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
  created_at REAL NOT NULL, follower_count INTEGER NOT NULL DEFAULT 0, following_count INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users VALUES (42, 'old', 'old', 'Old', 1700000000.0, 7, 1);
"""


async def test_an_older_file_gains_celebrity_since_and_keeps_its_users(tmp_path):
    settings = make_settings(tmp_path)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(settings.database_path) as db:
        await db.executescript(FIRST_USERS_TABLE)
        await db.commit()
    mesh = await bootstrap(settings)
    try:
        user = await mesh.graph.get_user(42)
        assert (user.handle, user.follower_count, user.celebrity) == ("old", 7, True)  # threshold 5 in tests
    finally:
        await mesh.close()
