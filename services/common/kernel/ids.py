"""The Snowflake id layout, shared by everything that reads ids.

From the most significant bit down: one zero bit, 41 bits of milliseconds
since CHIRP_EPOCH_MS, 10 bits of worker id, 12 bits of sequence. Ids sort
by time, so tweets and timelines sort by id.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from services.common.kernel.errors import InvalidArgument

CHIRP_EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
WORKER_BITS, SEQUENCE_BITS = 10, 12
MAX_WORKER_ID = (1 << WORKER_BITS) - 1
MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1


class IdSource(Protocol):
    async def next_id(self) -> int: ...


@dataclass(frozen=True)
class DecodedId:
    created_at: datetime
    worker_id: int
    sequence: int


def compose(millis: int, worker_id: int, sequence: int) -> int:
    return ((millis - CHIRP_EPOCH_MS) << (WORKER_BITS + SEQUENCE_BITS)) | (worker_id << SEQUENCE_BITS) | sequence


def decode(snowflake_id: int) -> DecodedId:
    return DecodedId(
        created_at=datetime.fromtimestamp(timestamp_ms(snowflake_id) / 1000, tz=timezone.utc),
        worker_id=(snowflake_id >> SEQUENCE_BITS) & MAX_WORKER_ID,
        sequence=snowflake_id & MAX_SEQUENCE,
    )


def created_at(snowflake_id: int) -> datetime:
    return decode(snowflake_id).created_at


def valid_id(value: int, field: str, kind: str) -> int:
    """An id from a request: positive and below 2^63, as every Snowflake id is."""
    if value <= 0:
        raise InvalidArgument(f"{field} is required: give the id of an existing {kind}", field=field)
    if value >= 2**63:
        raise InvalidArgument(f"{field} {value} is not an id: ids are below 2^63", field=field)
    return value


def possible_ids(values) -> list[int]:
    """The values that could be ids, for batch reads that leave unknown ids out."""
    return [v for v in values if 0 < v < 2**63]


def wall_clock_ms() -> int:
    """Milliseconds since the Unix epoch: the clock ids are made from, and every lifetime measured against it."""
    return time.time_ns() // 1_000_000


ID_LEASE_MS = 50  # a service may take an id up to this long before it uses it (ids leased a few at a time)


def first_id_at(ms: int) -> int:
    """The smallest id any generator can issue in that millisecond (since the Unix epoch)."""
    return max(ms - CHIRP_EPOCH_MS, 0) << (WORKER_BITS + SEQUENCE_BITS)


def timestamp_ms(snowflake_id: int) -> int:
    return (snowflake_id >> (WORKER_BITS + SEQUENCE_BITS)) + CHIRP_EPOCH_MS
