"""The client's deadline, from a `Grpc-Timeout` header in gRPC's own format, as grpc-gateway reads it.

The value is up to 8 digits and a unit: `H` hours, `M` minutes, `S`
seconds, `m` milliseconds, `u` microseconds, `n` nanoseconds (`500m` is
half a second). Without the header a call gets DEFAULT_SECONDS; a
malformed one is refused (400).
"""

import re

DEFAULT_SECONDS = 5.0
HEADER = "grpc-timeout"
_FORMAT = re.compile(r"(\d{1,8})([HMSmun])")
_UNIT_SECONDS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}


def deadline_seconds(header: str | None) -> float:
    """ValueError when the header is not a gRPC timeout."""
    if header is None:
        return DEFAULT_SECONDS
    found = _FORMAT.fullmatch(header.strip())
    if found is None:
        raise ValueError(f"Grpc-Timeout {header!r} is not a gRPC timeout such as '500m' or '5S'")
    return int(found.group(1)) * _UNIT_SECONDS[found.group(2)]
