"""Pauses that only tests set, apart from the settings a deployment uses.

A test that must force an interleaving (a chunk in flight while an
unfollow is handled, a commit whose publish never comes) sets these
through the environment of the processes it starts. Left at zero, they
change nothing.
"""

from dataclasses import dataclass

from services.common.runtime.env import env_int


@dataclass(frozen=True)
class FaultHooks:
    hold_ack_ms: int = 0  # CHIRP_TEST_HOLD_ACK_MS: a consumer waits this long between its handler and the ack
    relay_hold_ms: int = 0  # CHIRP_TEST_RELAY_HOLD_MS: the relay waits this long before each publish

    @classmethod
    def from_env(cls) -> "FaultHooks":
        return cls(
            hold_ack_ms=env_int("CHIRP_TEST_HOLD_ACK_MS", 0, 0, 600_000),
            relay_hold_ms=env_int("CHIRP_TEST_RELAY_HOLD_MS", 0, 0, 600_000),
        )
