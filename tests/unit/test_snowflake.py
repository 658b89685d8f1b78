import pytest

from services.common.kernel.errors import InvalidArgument, Unavailable
from services.common.kernel.ids import CHIRP_EPOCH_MS, MAX_SEQUENCE, decode
from services.snowflake.domain import SnowflakeGenerator

NOW = CHIRP_EPOCH_MS + 10_000_000


class SteppingClock:
    """A clock the test moves by hand; each read may advance it by `tick` ms."""

    def __init__(self, now: int, tick: int = 0):
        self.now, self.tick = now, tick

    def __call__(self) -> int:
        value = self.now
        self.now += self.tick
        return value


async def test_a_batch_is_strictly_increasing_and_unique():
    generator = SnowflakeGenerator(worker_id=7, clock=SteppingClock(NOW))
    ids = await generator.next_ids(4096)
    assert ids == sorted(ids) and len(set(ids)) == 4096


async def test_ids_keep_increasing_across_batches_and_milliseconds():
    generator = SnowflakeGenerator(worker_id=1, clock=SteppingClock(NOW, tick=1))
    ids = [*await generator.next_ids(10), *await generator.next_ids(10), await generator.next_id()]
    assert ids == sorted(set(ids))


async def test_an_exhausted_millisecond_waits_for_the_next():
    clock = SteppingClock(NOW)
    generator = SnowflakeGenerator(worker_id=0, clock=clock)
    first = await generator.next_ids(MAX_SEQUENCE + 1)
    clock.tick = 1  # time moves on while the generator waits
    second = await generator.next_id()
    assert second > first[-1]
    assert decode(second).created_at > decode(first[-1]).created_at


async def test_an_id_decodes_to_its_time_worker_and_sequence():
    generator = SnowflakeGenerator(worker_id=513, clock=SteppingClock(NOW))
    _, second = await generator.next_ids(2)
    parts = decode(second)
    assert (parts.worker_id, parts.sequence) == (513, 1)
    assert round(parts.created_at.timestamp() * 1000) == NOW


async def test_a_short_step_back_is_waited_out_without_reordering():
    clock = SteppingClock(NOW)
    generator = SnowflakeGenerator(worker_id=2, clock=clock, max_backward_wait_ms=50)
    before = await generator.next_id()
    clock.now, clock.tick = NOW - 3, 1  # steps back 3 ms, then runs forward again
    after = await generator.next_id()
    assert after > before


async def test_a_long_step_back_is_refused_not_duplicated():
    clock = SteppingClock(NOW)
    generator = SnowflakeGenerator(worker_id=2, clock=clock, max_backward_wait_ms=5)
    before = await generator.next_id()
    clock.now = NOW - 60_000
    with pytest.raises(Unavailable, match="moved back by 60000 ms"):
        await generator.next_id()
    clock.now = NOW + 1  # the clock catches up: ids flow again, still in order
    assert await generator.next_id() > before


@pytest.mark.parametrize("count", [0, -1, 4097])
async def test_batch_size_is_bounded(count):
    with pytest.raises(InvalidArgument, match="count must be 1 to 4096"):
        await SnowflakeGenerator(worker_id=0).next_ids(count)


def test_worker_id_must_fit_ten_bits():
    with pytest.raises(ValueError):
        SnowflakeGenerator(worker_id=1024)


async def test_after_a_restart_ids_stay_above_the_largest_stored_one():
    before_restart = await SnowflakeGenerator(worker_id=3, clock=SteppingClock(NOW)).next_ids(5)
    clock = SteppingClock(NOW - 4, tick=1)  # the new process's clock runs 4 ms behind
    restarted = SnowflakeGenerator(worker_id=3, clock=clock, max_backward_wait_ms=50, above=before_restart[-1])
    assert await restarted.next_id() > before_restart[-1]


async def test_after_a_restart_a_clock_far_behind_the_stored_ids_is_refused():
    stored = await SnowflakeGenerator(worker_id=3, clock=SteppingClock(NOW)).next_id()
    restarted = SnowflakeGenerator(worker_id=3, clock=SteppingClock(NOW - 60_000), max_backward_wait_ms=5, above=stored)
    with pytest.raises(Unavailable, match="moved back"):
        await restarted.next_id()


class SwitchedLease:
    def __init__(self, worker_id: int):
        self.worker_id, self.holding = worker_id, True

    def held(self) -> bool:
        return self.holding


async def test_a_generator_issues_ids_only_while_it_holds_its_worker_ids_lease():
    lease = SwitchedLease(7)
    generator = SnowflakeGenerator.leased(lease, SteppingClock(NOW, tick=1))
    assert decode(await generator.next_id()).worker_id == 7
    lease.holding = False
    with pytest.raises(Unavailable, match="does not hold its worker id's lease"):
        await generator.next_ids(3)
    lease.holding = True
    assert decode(await generator.next_id()).worker_id == 7
