"""CPU time that a system's processes spent, read from /proc: the cost of a request whatever the machine's noise."""

import os
from collections.abc import Callable, Iterable
from pathlib import Path

ENGINES = {"redis-server", "postgres", "beam.smp", "epmd", "erl_child_setup"}  # Redis, PostgreSQL, RabbitMQ
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: Iterable[int]) -> float:
    """User and system time of the processes, in seconds (a process gone meanwhile counts 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def engine_pids() -> list[int]:
    """The servers the mesh uses (every backend process on this machine)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ENGINES:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def meter(pids: Callable[[], Iterable[int]]) -> Callable[[], float]:
    """A reading of the CPU seconds spent so far by the processes `pids` names at that moment."""
    return lambda: cpu_seconds(pids())
