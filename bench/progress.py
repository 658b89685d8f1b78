"""Progress lines for long benchmark runs: each stamped with the seconds since the run started."""

import time

STARTED = time.monotonic()


def log(line: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {line}", flush=True)
