"""Redis Cluster with replicas: a timeline write is acknowledged only once a replica of each master written to
holds it. A replica that can't keep up (stopped with SIGSTOP) makes the write fail within the timeout (the
fan-out retries it); once it resumes, the write goes through and is on the replica."""

import os
import re
import signal
import subprocess
import time

import pytest
from redis.asyncio import Redis

from services.common.runtime.config import Settings
from services.mesh.backends import redis_client
from services.timeline.adapters.redis_cache import RedisTimelineCache
from services.timeline.adapters.redis_layout import timeline_key, unpack_ids
from services.timeline.adapters.redis_replica_acks import ReplicaAcks, ReplicaLag
from tests.integration.servers import LocalRedisCluster

pytestmark = pytest.mark.timeout(60)
USERS = list(range(1, 201))
TIMEOUT_MS = 1_000  # twice the default: a loaded machine may take a while to answer


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    started = LocalRedisCluster(tmp_path_factory.mktemp("replicated"), replicas=1).start()  # a long node timeout: a stopped replica is not failed over
    deadline = time.monotonic() + 15
    while not all("state=online" in replication(port) for port in started.masters()):  # the replicas have synced
        assert time.monotonic() < deadline, "the replicas did not sync"
        time.sleep(0.05)
    yield started
    started.stop()


def replication(port: int) -> str:
    return subprocess.run(["redis-cli", "-p", str(port), "info", "replication"], capture_output=True, text=True, timeout=5).stdout


def replica_of(cache: RedisTimelineCache, user: int) -> int:
    """The port of the replica of the master that holds the user's timeline."""
    master = cache._redis.get_node_from_key(timeline_key(user)).port
    return int(re.search(r"slave0:ip=[^,]+,port=(\d+)", replication(master)).group(1))


@pytest.fixture
async def cache(cluster):
    redis = redis_client(Settings(redis_url=f"redis://127.0.0.1:{cluster.ports[0]}", redis_cluster=True))
    opened = RedisTimelineCache(redis, 800, 600, replica_acks=ReplicaAcks(redis, TIMEOUT_MS))
    for user in USERS:
        await opened.drop(user)
        await opened.start(user)
        await opened.complete(user)
    yield opened
    await opened.close()


async def on_replicas(cache: RedisTimelineCache, users: list[int]) -> list[list[int]]:
    """Each user's timeline as its master's replica holds it."""
    timelines = []
    for user in users:
        async with Redis(host="127.0.0.1", port=replica_of(cache, user)) as direct:
            await direct.execute_command("READONLY")
            timelines.append(unpack_ids((await direct.lrange(timeline_key(user), 0, -1))[1:]))
    return timelines


async def test_an_acknowledged_write_is_on_the_replicas_already(cache):
    await cache.add(USERS, [1, 2])
    await cache.remove(USERS, [1])
    assert await on_replicas(cache, USERS) == [[2]] * len(USERS)


async def test_a_write_a_stopped_replica_has_not_acknowledged_fails_and_goes_through_once_it_resumes(cache, cluster):
    process = cluster.processes[cluster.ports.index(replica_of(cache, USERS[0]))]
    os.kill(process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(ReplicaLag):
            await cache.add(USERS, [3])
        assert time.monotonic() - started < TIMEOUT_MS / 1000 + 1.0, "the write should fail within its timeout, not hang"
    finally:
        os.kill(process.pid, signal.SIGCONT)
    assert await cache.add(USERS, [3]) == 0  # the retry: the masters had written it already
    assert await on_replicas(cache, USERS) == [[3]] * len(USERS)
