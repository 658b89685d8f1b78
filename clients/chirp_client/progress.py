"""Progress of a long load: a live bar on a terminal, a few plain lines in a file or a pipe."""

import sys
import time
from typing import TextIO

from tqdm import tqdm


class Progress:
    """Counts finished calls. On a terminal it draws a bar; elsewhere it writes one line at each
    tenth of the work and at most every `every_seconds`, so a log stays readable."""

    def __init__(self, label: str, total: int, out: TextIO = sys.stderr, every_seconds: float = 10.0):
        self.label, self.total, self.done = label, total, 0
        self._out, self._every = out, every_seconds
        self._bar = tqdm(total=total, desc=label, unit="call", file=out) if out.isatty() else None
        self._started = self._last_line = time.monotonic()
        self._next_tenth = 1

    def update(self) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.update()
            return
        now = time.monotonic()
        tenth_reached = self.total and self.done * 10 >= self._next_tenth * self.total
        if tenth_reached or now - self._last_line >= self._every:
            while self.total and self.done * 10 >= self._next_tenth * self.total:
                self._next_tenth += 1
            self._last_line = now
            print(f"{self.label}: {self.done}/{self.total} in {now - self._started:.0f} s", file=self._out, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
