"""The garbage collector set for a long-running server.

Everything start-up built (modules, descriptors, pools, wiring) lives as long
as the process, yet CPython's full collection walks all of it again each
time, pausing the event loop for tens of milliseconds: a latency spike that
every request in flight then waits out. Once serving, the process freezes
what it holds so far out of every later collection (those objects are still
freed as usual when their count drops to zero), and young collections run
less often, so full collections come rarely and walk only what is new.
"""

import gc

YOUNG_THRESHOLD = 5_000  # allocations between young collections (CPython's default: 700)


def settle_after_start() -> None:
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
