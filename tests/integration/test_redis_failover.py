"""Redis Cluster with replicas (3 masters, 3 replicas): the process's own client, and the timeline cache on it, carry on
after a master is killed (SIGKILL) right after an acknowledged write and its replica takes over: the writes wait for
the replicas (ReplicaAcks), so the promoted replica holds every acknowledged entry, and the writes that follow go to it
(it has no replica left to wait for). The fast part of the Redis fault tests (the mesh under load
is in test_chaos_redis.py, `make chaos`)."""

import asyncio
import subprocess
import time

import pytest
from redis.exceptions import RedisError

from services.common.runtime.config import Settings
from services.mesh.backends import redis_client
from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_replica_acks import ReplicaAcks
from tests.integration.servers import LocalRedisCluster

pytestmark = pytest.mark.timeout(90)
USERS = list(range(1, 301))


@pytest.fixture
def cluster(tmp_path):
    started = LocalRedisCluster(tmp_path, replicas=1, node_timeout_ms=1000).start()
    yield started
    started.stop()


def synced(master: int) -> bool:
    info = subprocess.run(["redis-cli", "-p", str(master), "info", "replication"], capture_output=True, text=True, timeout=5).stdout
    return "state=online" in info


async def cached_timelines(cluster: LocalRedisCluster) -> RedisTimelineCache:
    """The timeline cache on the process's own client, its writes waiting for a replica, once every master's replica
    is in sync; every user's timeline cached (and empty)."""
    redis = redis_client(Settings(redis_url=f"redis://127.0.0.1:{cluster.ports[0]}", redis_cluster=True))
    cache = RedisTimelineCache(redis, 800, 600, replica_acks=ReplicaAcks(redis, 500))
    while not all(synced(master) for master in cluster.masters()):
        await asyncio.sleep(0.05)
    for user in USERS:
        await cache.start(user)
        await cache.complete(user)
    return cache


async def test_timelines_survive_a_killed_master_and_writes_resume_on_its_promoted_replica(cluster):
    cache = await cached_timelines(cluster)
    await cache.add(USERS, [1, 2, 3])  # acknowledged: a replica of each master holds it
    victim = cluster.masters()[1]
    cluster.kill(victim)  # at once, without waiting for anything
    killed, failures, tweet = time.monotonic(), 0, 4
    while True:  # what a fan-out worker does: retry the batch until it goes through
        try:
            await cache.add(USERS, [tweet])
            break
        except RedisError:
            failures += 1
            await asyncio.sleep(0.1)
    recovered = time.monotonic() - killed
    assert failures > 0, "the killed master's slots should have refused writes until its replica took over"
    assert recovered < 15, f"writes resumed only after {recovered:.1f}s"
    assert victim not in cluster.masters() and len(cluster.masters()) == 3

    assert await cache.read_many(USERS) == [[4, 3, 2, 1]] * len(USERS)
    await cache.close()


async def test_once_the_replica_is_promoted_a_write_waiting_for_replicas_goes_to_it_by_its_second_try(cluster):
    """A client that saw nothing of the failover still names the dead master for its WAIT and INFO, which redis-py does
    not re-route (they name their node): an INFO that fails reads the map again and asks the new master, and a write
    that fails makes the next one read the map again first. At most one write fails (a gossip still on its way)."""
    cache = await cached_timelines(cluster)
    await cache.add(USERS, [1])
    victim = cluster.masters()[1]
    cluster.kill(victim)
    while victim in cluster.masters() or len(cluster.masters()) < 3:
        await asyncio.sleep(0.05)
    cluster.wait_until_ok()
    failures = []
    for tweet in (2, 3, 4):
        try:
            await cache.add(USERS, [tweet])
        except RedisError as error:
            failures.append(error)
    assert len(failures) <= 1, failures
    assert all(timeline[:2] == [4, 3] and timeline[-1] == 1 for timeline in await cache.read_many(USERS))
    await cache.close()
