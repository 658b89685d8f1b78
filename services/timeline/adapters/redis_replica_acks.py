"""Timeline writes on Redis Cluster acknowledged only once a replica of each master written to holds them.

Redis replicates asynchronously: a master that dies before sending its last writes to its replica loses
them on failover, and a home timeline that survives on the promoted replica would miss them, unseen,
until it expires. So the fan-out's writes wait for one replica. `WAIT` counts the replicas that hold
what its own connection wrote, and redis-py's Cluster pipeline sends each node's commands, in order, on
one connection: one `WAIT 1 <timeout>` per master, at the end of the writes' pipeline, covers them.

A master with no replica connected (each master a write goes to is asked, with INFO, at most once a second) is
not waited on. One whose `WAIT` times out fails the write (`ReplicaLag`; adds and removes are idempotent, so the
chunk is retried), unless the master has no replica connected at all (its replica died, or was promoted away):
then there is nothing to wait for, and the write stands, as a single master's would. A slot that moved during the
write (a failover) fails it too: redis-py sent the redirected commands on other connections than the `WAIT`s.

A `WAIT` or `INFO` names its node, so redis-py neither retries it nor re-reads the Cluster's map for it. So an
`INFO` that finds no server reads the map again and asks the masters it names then, once; and a write that failed
makes the next one read the map again first (`failed`): its retry, once a replica is promoted, waits on the new
master instead of the dead one. ReplicaLag is a Redis TimeoutError: an outage, which the fan-out retries for as
long as one (`services/common/runtime/outages.py`).
"""

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import RedisCluster
from redis.asyncio.cluster import ClusterNode, ClusterPipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("chirp.timeline.redis")


class ReplicaLag(RedisTimeoutError):
    """No replica of a master acknowledged a write within the timeout: not acknowledged, retry it."""


@dataclass
class Waits:
    """The WAITs added to one pipeline: each master's, and which master each key was written to."""

    nodes: list[ClusterNode]
    owners: dict[str, str]


class ReplicaAcks:
    def __init__(self, redis: RedisCluster, timeout_ms: int, refresh_seconds: float = 1.0):
        self._redis = redis
        self._timeout_ms = timeout_ms
        self._refresh_seconds = refresh_seconds
        self._replicated: dict[str, bool] = {}  # by master: whether it has a replica connected, as it last said
        self._asked_at: dict[str, float] = {}  # by master: when it said so
        self._map_stale = False

    def failed(self) -> None:
        """A write failed (a node down, a slot moved?): the next one reads the Cluster's map again first."""
        self._map_stale = True

    async def ask(self, pipe: ClusterPipeline, keys: Sequence[str]) -> Waits:
        """Adds a WAIT per master that has a replica to the pipeline, after the keys' writes. A master that does
        not answer INFO may have been replaced: the Cluster's map is read again, and the masters asked again, once."""
        await self._read_map()
        try:
            return await self._add_waits(pipe, keys)
        except (RedisConnectionError, RedisTimeoutError):
            await self._redis.nodes_manager.initialize()
            return await self._add_waits(pipe, keys)

    async def check(self, waits: Waits, acked: Sequence[int]) -> None:
        """Raises ReplicaLag unless every master's writes reached a replica (or it has none connected)."""
        if any(self._redis.get_node_from_key(key).name != name for key, name in waits.owners.items()):
            raise ReplicaLag("a slot moved during the write: its replica's copy is unknown")
        for node, count in zip(waits.nodes, acked):
            if count < 1 and await self._replicas_connected(node):
                raise ReplicaLag(f"no replica of {node.name} acknowledged the write within {self._timeout_ms} ms")

    async def _read_map(self) -> None:
        """The nodes, learnt once (and again whenever redis-py dropped them); the slots again after a failed write."""
        await self._redis.initialize()
        if self._map_stale:
            self._map_stale = False
            await self._redis.nodes_manager.initialize()

    async def _add_waits(self, pipe: ClusterPipeline, keys: Sequence[str]) -> Waits:
        owners = {key: self._redis.get_node_from_key(key) for key in keys}
        masters = {node.name: node for node in owners.values()}
        now = time.monotonic()
        stale = [node for name, node in masters.items() if name not in self._asked_at or now - self._asked_at[name] > self._refresh_seconds]
        if stale:
            await self._ask_masters(stale)
        nodes = [node for name, node in masters.items() if self._replicated.get(name)]
        for node in nodes:
            pipe.execute_command("WAIT", 1, self._timeout_ms, target_nodes=node)
        return Waits(nodes, {key: node.name for key, node in owners.items()})

    async def _ask_masters(self, masters: list[ClusterNode]) -> None:
        """Which of these masters have a replica connected (one INFO each)."""
        answers = await self._redis.info("replication", target_nodes=masters)
        answers = answers if len(masters) > 1 else {masters[0].name: answers}
        now = time.monotonic()
        for name, info in answers.items():
            self._replicated[name], self._asked_at[name] = int(info.get("connected_slaves", 0)) > 0, now

    async def _replicas_connected(self, node: ClusterNode) -> int:
        connected = int((await self._redis.info("replication", target_nodes=node)).get("connected_slaves", 0))
        if not connected:
            log.warning("%s has no replica connected: its timeline writes are not replicated", node.name)
            self._replicated[node.name] = False
        return connected
