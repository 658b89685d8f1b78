"""A serving process freezes what start-up built out of later collections and collects its young less often."""

import gc

from services.common.runtime.heap import YOUNG_THRESHOLD, settle_after_start


def test_settling_freezes_the_start_up_heap_and_raises_the_young_threshold():
    before = gc.get_threshold()
    try:
        settle_after_start()
        assert gc.get_freeze_count() > 1_000
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
