"""Snowflake worker ids leased in PostgreSQL (the `snowflake` schema's leases, one per worker id).

A process takes the first worker id, from its preferred one upwards, that
nobody holds or whose holder let the lease expire, and renews it in the
background. A crashed process's id is free again only once its lease has
expired; by then that process had stopped issuing (it counts on its lease
only until the ttl after it last asked to renew it). PostgreSQL rather than
Redis: the lease is then as durable as the tweets whose ids it guards
(synchronously replicated under Patroni), where a Redis failover can lose
a recent write and hand the same id out twice.
"""

from dataclasses import dataclass

from services.common.kernel.ids import MAX_WORKER_ID
from services.common.storage.leases import MIGRATION, Lease, LeaseKeeper, new_holder
from services.common.storage.postgres import PostgresDatabase

SCHEMA = "snowflake"
MIGRATIONS = [MIGRATION]


class NoWorkerId(Exception):
    """Every worker id is leased by a live process."""


def lease_name(worker_id: int) -> str:
    return f"snowflake.worker.{worker_id}"


@dataclass
class LeasedWorkerId:
    """A worker id held through a lease (the generator's WorkerLease)."""

    worker_id: int
    keeper: LeaseKeeper

    def held(self) -> bool:
        return self.keeper.lease.held()

    async def check(self) -> None:
        """A health check: raises while the lease is not held (the process is NOT_SERVING then)."""
        if not self.held():
            raise ConnectionError(f"the lease of snowflake worker id {self.worker_id} is not held")

    def start(self) -> None:
        self.keeper.start()

    async def stop(self) -> None:
        await self.keeper.stop()


async def lease_worker_id(db: PostgresDatabase, label: str, ttl_seconds: float, preferred: int = 0) -> LeasedWorkerId:
    """Takes a free worker id, trying `preferred` first; raises NoWorkerId when all are held."""
    holder = new_holder(label)
    for offset in range(MAX_WORKER_ID + 1):
        worker_id = (preferred + offset) % (MAX_WORKER_ID + 1)
        lease = Lease(db, lease_name(worker_id), holder, ttl_seconds)
        if await lease.take():
            return LeasedWorkerId(worker_id, LeaseKeeper(lease))
    raise NoWorkerId(f"all {MAX_WORKER_ID + 1} snowflake worker ids are leased by live processes")
