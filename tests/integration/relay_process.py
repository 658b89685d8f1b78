"""One outbox relay as a process of its own, for the tests that run two and kill one.

    python -m tests.integration.relay_process DSN NAMESPACE LEASE_SECONDS

Relays the tweet schema's outbox of DSN to NAMESPACE's exchange, holding
the outbox's lease as `relay-<pid>:...`; prints "ready" once running, and
stops cleanly (releasing the lease) on SIGTERM.
"""

import asyncio
import os
import signal
import sys

from services.common.messaging.outbox.postgres_store import PostgresOutbox
from services.common.messaging.outbox.relay import OutboxRelay
from services.common.messaging.rabbitmq.bus import RabbitBus
from services.common.storage.leases import LeaseKeeper, new_holder
from services.common.storage.postgres import PostgresDatabase
from services.tweet.adapters.postgres_migrations import MIGRATIONS
from tests.integration.servers import RABBITMQ_URL


async def main(dsn: str, namespace: str, lease_seconds: float) -> None:
    db = await PostgresDatabase.open(dsn, "tweet", MIGRATIONS)
    outbox = PostgresOutbox(db)
    bus = await RabbitBus.connect(RABBITMQ_URL, exchange=f"{namespace}.events", name=f"relay-{os.getpid()}")
    keeper = LeaseKeeper(outbox.relay_lease(new_holder(f"relay-{os.getpid()}"), lease_seconds), retry_seconds=0.2)
    relay = OutboxRelay(outbox, bus, keeper=keeper)
    relay.poll_seconds = 0.1  # commits come from another process: nothing wakes this one sooner
    await relay.start()
    print("ready", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await relay.stop()
    await bus.close()
    await db.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
