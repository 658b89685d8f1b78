"""Home timelines in Redis (or Redis Cluster): one list of packed ids per user, newest first.

The key and entry layout is `redis_layout.py`'s. A list is kept as listpack
nodes (list-max-listpack-size), an entry costing about 10 bytes.

Fan-out adds a fresh id to many timelines at once: above a timeline's newest
id, so it goes in at the head in O(1) (an insert into an 800-id sorted-set
listpack cost Redis 20 us, scanning it twice). An id below the newest (an
out-of-order arrival, a follow's backfill, a rebuild) is placed in order by
walking the list from the head, usually a few entries; an id already there
is skipped. Scripts do it (`redis_timeline_scripts.py`), so each timeline
changes atomically: on one Redis server, up to 50 timelines a call
(present? add, trim, keep the TTL), the calls in one pipeline of EVALSHAs,
one round trip (the script is loaded, and the calls run again, only when the
server lacks it). The adds asked for while one pipeline is out (fan-out's
events handled side by side, posts' read-your-writes) leave together as the
next, one round trip for all. A script's keys must share a Cluster
slot, so there each timeline is one EVALSHA. Both need Redis 7 (EXPIRE ... NX). With `ReplicaAcks` (Cluster with
replicas), an add or remove returns only once a replica of each master written to holds it.
"""

import logging
from collections.abc import Callable, Sequence

from redis.asyncio import Redis, RedisCluster
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from services.common.runtime.coalescing import Coalescer
from services.timeline.adapters import redis_timeline_scripts as scripts
from services.timeline.adapters.redis_layout import BUILDING, EXISTS, pack_id, pack_ids, stamp_key, timeline_key, unpack_ids
from services.timeline.adapters.redis_replica_acks import ReplicaAcks

log = logging.getLogger("chirp.timeline.redis")

SCRIPT_KEYS = 50  # timelines per script call on one server
ADD_BATCH = 50  # adds (each of ids to some users' timelines) sent together, at most
SMALLEST_NODE = 32  # a positive list-max-listpack-size below this splits a timeline into many small nodes


class RedisTimelineCache:
    def __init__(self, redis: Redis | RedisCluster, capacity: int, ttl_seconds: int,
                 key: Callable[[int], str] = timeline_key, replica_acks: ReplicaAcks | None = None):
        """`key` names a user's list: home timelines by default, or the users' own recent posts."""
        self._redis = redis
        self._acks = replica_acks
        self._key = key
        self._capacity = capacity
        self._ttl = ttl_seconds
        self._add, self._remove, self._mark, self._window = (
            redis.register_script(s) for s in (scripts.ADD, scripts.REMOVE, scripts.MARK, scripts.WINDOW))
        self._adds: Coalescer[tuple[tuple[int, ...], tuple[int, ...]], int] = Coalescer(self._add_all, ADD_BATCH, max_in_flight=2)

    async def read(self, user_id: int, before: int | None = None, limit: int | None = None) -> list[int] | None:
        if before is None and limit is None:
            return self._ids(await self._redis.lrange(self._key(user_id), 0, self._capacity))
        bound = pack_id(before) if before is not None else b""
        ids = await self._window(keys=[self._key(user_id)], args=[bound, min(limit or self._capacity, self._capacity)])
        return None if ids is None else unpack_ids(ids)

    @staticmethod
    def _ids(entries: list[bytes]) -> list[int] | None:
        return unpack_ids(entries[1:]) if entries and entries[0] == EXISTS else None

    async def read_many(self, user_ids: Sequence[int]) -> list[list[int] | None]:
        """`read` for several users in one round trip."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.lrange(self._key(user_id), 0, self._capacity)
            return [self._ids(entries) for entries in await pipe.execute()]

    async def start(self, user_id: int) -> None:
        await self._mark(keys=[self._key(user_id), stamp_key(user_id)], args=[BUILDING, self._ttl])

    async def complete(self, user_id: int) -> None:
        await self._mark(keys=[self._key(user_id), stamp_key(user_id)], args=[EXISTS, ""])

    async def add(self, user_ids: Sequence[int], tweet_ids: Sequence[int]) -> int:
        """With the other adds asked for meanwhile (fan-out's side by side, posts' read-your-writes), in one round trip."""
        if not user_ids or not tweet_ids:
            return 0
        return await self._adds.get((tuple(user_ids), tuple(sorted(set(tweet_ids)))))

    async def _add_all(self, adds: Sequence[tuple[tuple[int, ...], tuple[int, ...]]]) -> dict[tuple, int]:
        calls = [self._calls(user_ids, [self._capacity, self._ttl, *pack_ids(tweet_ids)]) for user_ids, tweet_ids in adds]
        answers = iter(await self._run(self._add, [call for each in calls for call in each]))
        return {add: sum(next(answers) for _ in each) for add, each in zip(adds, calls)}

    async def remove(self, user_ids: Sequence[int], tweet_ids: Sequence[int]) -> int:
        if not user_ids or not tweet_ids:
            return 0
        return sum(await self._run(self._remove, self._calls(user_ids, pack_ids(tweet_ids))))

    def _calls(self, user_ids: Sequence[int], args: list) -> list[tuple[list[str], list]]:
        """The script's calls over the users' timelines, with the same arguments: SCRIPT_KEYS timelines a call, one on a Cluster.
        Each call's keys are its timelines, then their users' stamps."""
        step = 1 if isinstance(self._redis, RedisCluster) else SCRIPT_KEYS  # a Cluster: one slot a call
        chunks = [user_ids[start : start + step] for start in range(0, len(user_ids), step)]
        return [([*map(self._key, chunk), *map(stamp_key, chunk)], args) for chunk in chunks]

    async def _run(self, script: AsyncScript, calls: list[tuple[list[str], list]]) -> list[int]:
        """Runs the calls (keys, arguments) in one pipeline of EVALSHAs (one round trip); their answers. A server
        without the script (new, or restarted) is given it and all run again: adds and removes can run twice."""
        try:
            return await self._evalsha(script, calls)
        except NoScriptError:
            await self._redis.script_load(script.script)  # on every node of a Cluster
            return await self._evalsha(script, calls)

    async def _evalsha(self, script: AsyncScript, calls: list[tuple[list[str], list]]) -> list[int]:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:  # EVALSHA by name: a Cluster's pipeline refuses the method
                for keys, args in calls:
                    pipe.execute_command("EVALSHA", script.sha, len(keys), *keys, *args)
                waits = await self._acks.ask(pipe, [key for keys, _ in calls for key in keys]) if self._acks else None
                answers = await pipe.execute()
            if waits:
                await self._acks.check(waits, answers[len(calls) :])
        except Exception:
            if self._acks:
                self._acks.failed()  # the next write reads the Cluster's map first
            raise
        return answers[: len(calls)]

    async def drop(self, user_id: int) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:  # one slot: fine on a Cluster
            pipe.delete(self._key(user_id))
            pipe.delete(stamp_key(user_id))
            await pipe.execute()

    async def close(self) -> None:
        await self._redis.aclose()

    async def check_listpack_limit(self) -> None:
        """Warns when Redis would split a timeline into many small list nodes (more bytes an entry)."""
        try:
            limits = await self._redis.config_get("list-max-listpack-size")
        except Exception as error:  # managed Redis may refuse CONFIG
            log.warning("could not read list-max-listpack-size (%s); timelines may use more memory", error)
            return
        values = limits.values() if isinstance(limits, dict) else [limits]
        if any(0 < int(v) < SMALLEST_NODE for v in values if str(v).lstrip("-").isdigit()):
            log.warning("list-max-listpack-size is below %s: timelines will be split in small nodes (more bytes an entry)", SMALLEST_NODE)
