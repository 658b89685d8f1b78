"""What the Snowflake generator needs from outside: the right to issue ids as one worker."""

from typing import Protocol


class WorkerLease(Protocol):
    """A worker id that this process alone may use, for as long as `held()` says so."""

    worker_id: int

    def held(self) -> bool: ...
