"""A child process that ends with the process that started it.

A parent passes `parent_env()` to its children; each calls
`end_with_parent()` first thing, which asks Linux for SIGTERM when the
parent dies (PR_SET_PDEATHSIG) and exits at once should the parent have
died already. The child asks for itself: a `preexec_fn` would fork a
process whose gRPC threads are busy, and gRPC aborts such a child. So a
launcher or a one-process mesh killed with SIGKILL leaves no service or
gateway behind holding its ports.
"""

import ctypes
import os
import signal
import sys

PARENT_PID = "CHIRP_PARENT_PID"  # the parent's pid, for the child's check (set by the parent, not a setting)
_PR_SET_PDEATHSIG = 1


def parent_env() -> dict[str, str]:
    return {PARENT_PID: str(os.getpid())}


def end_with_parent(program: str) -> None:
    """No-op for a process not started with parent_env() (a shell's, a test's)."""
    parent = os.environ.pop(PARENT_PID, None)
    if parent is None or not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(parent):
        sys.exit(f"{program}: the process that started it has ended")
