"""Timeline writes on Redis Cluster acknowledged only once a replica of each master written to holds them.

Redis replicates asynchronously: a master that dies before sending its last writes to its replica loses
them on failover, and a home timeline that survives on the promoted replica would miss them, unseen,
until it expires. So the fan-out's writes wait for one replica. `WAIT` counts the replicas that hold
what its own connection wrote, and redis-py's Cluster pipeline sends each node's commands, in order, on
one connection: one `WAIT 1 <timeout>` per master, at the end of the writes' pipeline, covers them.

A master with no replica connected (each master is asked, with INFO, once a second) is not waited on. One whose `WAIT` times out fails the
write (`ReplicaLag`; adds and removes are idempotent, so the chunk is retried), unless the master has
no replica connected at all (its replica died, or was promoted away): then there is nothing to wait
for, and the write stands, as a single master's would. A slot that moved during the write (a failover)
fails it too: redis-py sent the redirected commands on other connections than the `WAIT`s.
"""

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import RedisCluster
from redis.asyncio.cluster import ClusterNode, ClusterPipeline
from redis.exceptions import RedisError

log = logging.getLogger("chirp.timeline.redis")


class ReplicaLag(RedisError):
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
        self._asked_at = -refresh_seconds

    async def ask(self, pipe: ClusterPipeline, keys: Sequence[str]) -> Waits:
        """Adds a WAIT per master that has a replica to the pipeline, after the keys' writes."""
        await self._redis.initialize()  # learns the nodes, once (and again after redis-py dropped them)
        owners = {key: self._redis.get_node_from_key(key) for key in keys}
        masters = {node.name: node for node in owners.values()}
        if time.monotonic() - self._asked_at > self._refresh_seconds or not masters.keys() <= self._replicated.keys():
            await self._ask_masters()
        nodes = [node for name, node in masters.items() if self._replicated.get(name)]
        for node in nodes:
            pipe.execute_command("WAIT", 1, self._timeout_ms, target_nodes=node)
        return Waits(nodes, {key: node.name for key, node in owners.items()})

    async def check(self, waits: Waits, acked: Sequence[int]) -> None:
        """Raises ReplicaLag unless every master's writes reached a replica (or it has none connected)."""
        if any(self._redis.get_node_from_key(key).name != name for key, name in waits.owners.items()):
            raise ReplicaLag("a slot moved during the write: its replica's copy is unknown")
        for node, count in zip(waits.nodes, acked):
            if count < 1 and await self._replicas_connected(node):
                raise ReplicaLag(f"no replica of {node.name} acknowledged the write within {self._timeout_ms} ms")

    async def _ask_masters(self) -> None:
        """Which masters have a replica connected (one INFO each, at most once every refresh_seconds)."""
        answers = await self._redis.info("replication", target_nodes=RedisCluster.PRIMARIES)
        self._replicated = {name: int(info.get("connected_slaves", 0)) > 0 for name, info in answers.items()}
        self._asked_at = time.monotonic()

    async def _replicas_connected(self, node: ClusterNode) -> int:
        connected = int((await self._redis.info("replication", target_nodes=node)).get("connected_slaves", 0))
        if not connected:
            log.warning("%s has no replica connected: its timeline writes are not replicated", node.name)
            self._replicated[node.name] = False
        return connected
