"""Values kept in memory a while: each lapses after its own seconds, and the map stays within its limit."""

from services.common.runtime import lapsing
from services.common.runtime.lapsing import Lapsing


def test_a_value_answers_until_its_seconds_are_up(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(lapsing.time, "monotonic", lambda: now[0])
    kept: Lapsing[int, str] = Lapsing(10)
    kept.put(1, "one", 5)
    kept.put(2, "two", 60)
    now[0] += 5
    assert (kept.get(1), kept.get(2)) == (None, "two")


def test_past_the_limit_the_value_put_longest_ago_goes():
    kept: Lapsing[int, str] = Lapsing(2)
    kept.put(1, "one", 60)
    kept.put(2, "two", 60)
    kept.put(1, "one again", 60)  # put again: now the newest
    kept.put(3, "three", 60)
    assert (kept.get(1), kept.get(2), kept.get(3)) == ("one again", None, "three")


def test_a_forgotten_value_answers_no_more():
    kept: Lapsing[str, int] = Lapsing(10)
    kept.put("a", 1, 60)
    kept.forget("a")
    kept.forget("never kept")
    assert kept.get("a") is None
