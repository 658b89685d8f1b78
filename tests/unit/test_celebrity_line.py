from services.common.kernel.events import CelebrityChanged
from services.graph.domain import CelebrityLine

NOW = 1_800_000_000_000


def line(threshold: int) -> CelebrityLine:
    return CelebrityLine(threshold, clock=lambda: NOW)


def test_a_user_becomes_a_celebrity_at_the_threshold():
    assert line(10).change(7, 0, 9) == (0, None)
    assert line(10).change(7, 0, 10) == (NOW, CelebrityChanged(7, celebrity=True, since_ms=NOW))


def test_a_celebrity_stays_one_until_a_tenth_below_the_threshold():
    began = NOW - 5_000
    assert line(10).lower == 9
    assert line(10).change(7, began, 9) == (began, None)  # hovering at the line: no flip
    assert line(10).change(7, began, 8) == (0, CelebrityChanged(7, celebrity=False, since_ms=began))
    assert line(10_000).lower == 9_000


def test_the_band_is_at_least_one_follower():
    assert line(5).lower == 4
    assert line(1).lower == 1  # a threshold of one: no band, a celebrity with no follower left stops being one
