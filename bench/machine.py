"""The machine a benchmark ran on, as its report prints it."""

import os
import platform
from pathlib import Path


def describe_machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {"host": platform.node(), "cpu": cpu, "cores": len(os.sched_getaffinity(0)),
            "memory_gib": round(memory_kib / 2**20, 1), "python": platform.python_version(),
            "os": platform.platform()}  # fmt: skip
