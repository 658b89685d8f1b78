"""kill -9 in mesh mode: every service its own process, on PostgreSQL, Redis and RabbitMQ."""

import asyncio

import pytest

from chirp.fanout.v1 import fanout_service_pb2 as fanout_pb
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import AsyncChirpClient
from tests.conftest import as_user, production_backends
from tests.integration.consistency import assert_timelines_consistent, wait_until_pushed
from tests.integration.mesh_processes import MeshProcesses
from tests.tokens import as_account_service

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
async def mesh(tmp_path):
    async with production_backends(tmp_path, celebrity_threshold=10_000) as settings:
        processes = MeshProcesses(settings, tmp_path)
        try:
            yield processes
        finally:
            processes.stop_all()


async def start_core(mesh: MeshProcesses, **tweet_env: str) -> None:
    for service in ("snowflake", "graph"):
        await mesh.start(service)
    await mesh.start("tweet", **tweet_env)
    await mesh.start("timeline")


class World:
    """An author, their followers, and helpers to drive the mesh through its public API."""

    def __init__(self, client: AsyncChirpClient):
        self.client, self.limit = client, asyncio.Semaphore(32)

    async def register(self, handle: str) -> int:
        async with self.limit:
            return (await self.client.graph.CreateUser(graph_pb.CreateUserRequest(handle=handle), metadata=as_account_service())).user.user_id

    async def follow_and_warm(self, fan: int, author: int) -> None:
        async with self.limit:
            await self.client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=author), metadata=as_user(fan))
            await self.home_ids(fan)  # the fan's timeline is now cached: fan-out must push into it

    async def home_ids(self, reader: int) -> list[int]:
        request = timeline_pb.ListHomeTimelineRequest(page_size=100)
        page = await self.client.timeline.ListHomeTimeline(request, metadata=as_user(reader))
        return [t.tweet_id for t in page.tweets]

    async def post(self, author: int, text: str) -> int:
        request = tweet_pb.CreateTweetRequest(text=text)
        return (await self.client.tweet.CreateTweet(request, metadata=as_user(author))).tweet.tweet_id

    async def fanned_out(self, events: int, timeout: float = 60.0) -> None:
        """Waits until the one fanout worker has handled this many events and has nothing queued."""
        async with asyncio.timeout(timeout):
            while True:
                status = await self.client.fanout.GetFanoutStatus(fanout_pb.GetFanoutStatusRequest())
                if status.events_processed >= events and status.queue_depth == 0:
                    return
                await asyncio.sleep(0.1)

    async def audience(self, fans: int) -> tuple[int, list[int]]:
        author = await self.register("author")
        ids = await asyncio.gather(*(self.register(f"fan{i}") for i in range(fans)))
        await asyncio.gather(*(self.follow_and_warm(fan, author) for fan in ids))
        return author, list(ids)


@pytest.mark.chaos  # slow: `make chaos` runs it
async def test_a_fanout_worker_killed_mid_chunk_leaves_its_work_to_the_other_exactly_once(mesh: MeshProcesses):
    await start_core(mesh)
    await mesh.start("fanout-setup")  # handles the 400 follow events quickly, then leaves
    async with AsyncChirpClient(mesh.target(), timeout=30) as client:
        world = World(client)
        author, fans = await world.audience(400)  # 10 chunks of 40 for each tweet
        await world.fanned_out(events=len(fans))
    mesh.stop("fanout-setup")
    chunked = {"CHIRP_FANOUT_BATCH_SIZE": "40", "CHIRP_FANOUT_PREFETCH": "1", "CHIRP_TEST_HOLD_ACK_MS": "250"}
    await mesh.start("fanout-a", **chunked)
    await mesh.start("fanout-b", **chunked)
    async with AsyncChirpClient(mesh.target(), timeout=30) as client:
        world = World(client)
        posted = {author: [await world.post(author, f"to all {n}") for n in range(3)]}
        await asyncio.sleep(1.0)  # both workers are mid-way, each holding an unacked chunk
        mesh.kill("fanout-a")
        follows = {fan: {author} for fan in fans}
        await wait_until_pushed(follows, posted, timeout=120)
        status = await client.fanout.GetFanoutStatus(fanout_pb.GetFanoutStatusRequest())
        assert status.redeliveries >= 1, "the killed worker's unacked chunk should have been redelivered"
        assert status.dead_letters == 0
        await assert_timelines_consistent(world.home_ids, {**follows, author: set()}, posted)


async def test_tweets_committed_before_the_tweet_service_is_killed_are_fanned_out_after(mesh: MeshProcesses):
    await start_core(mesh, CHIRP_TEST_RELAY_HOLD_MS="600000")  # commits, then holds every publish
    await mesh.start("fanout")
    async with AsyncChirpClient(mesh.target(), timeout=30) as client:
        world = World(client)
        author, fans = await world.audience(20)
        posted = {author: [await world.post(author, f"accepted {n}") for n in range(5)]}
        await asyncio.sleep(0.5)
        assert await world.home_ids(fans[0]) == [], "held in the outbox: nothing should be fanned out yet"
        mesh.kill("tweet")  # between commit and publish
        await mesh.start("tweet")  # a new process, without the hold: its relay finds the outbox
        follows = {fan: {author} for fan in fans}
        await wait_until_pushed(follows, posted, timeout=60)
        await assert_timelines_consistent(world.home_ids, {**follows, author: set()}, posted)
