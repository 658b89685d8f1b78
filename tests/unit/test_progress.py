import io

from chirp_client.graphs import REED98_FRIENDSHIPS, REED98_USERS, reed98_like
from chirp_client.progress import Progress


def test_progress_to_a_file_writes_a_line_per_tenth_not_per_call():
    out = io.StringIO()
    with Progress("follows", 5_000, out=out, every_seconds=3600) as progress:
        for _ in range(5_000):
            progress.update()
    lines = out.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("follows: 5000/5000")
    assert "\r" not in out.getvalue()


def test_the_generated_reed98_stand_in_has_reed98s_size_and_is_the_same_each_time():
    users, follows = reed98_like()
    assert users == REED98_USERS and len(follows) == 2 * REED98_FRIENDSHIPS
    assert {(v, u) for u, v in follows} == set(follows)  # friendships: both directions
    assert reed98_like() == (users, follows)
