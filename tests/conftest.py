"""Shared fixtures: a real mesh on port 0 over SQLite, and clients to reach it."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from redis.asyncio import Redis

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import AsyncChirpClient
from services.common.kernel.ids import wall_clock_ms
from services.common.rpc.server import RunningServer, create_server
from services.common.runtime.config import Settings
from services.gateway.edge import open_edge
from services.mesh.bootstrap import Mesh, bootstrap
from services.registry import NAMES
from tests.integration.servers import RABBITMQ_URL, REDIS_URL, LocalRedisCluster, flush_test_redis, fresh_bus_namespace, fresh_postgres_database
from tests.tokens import FAST_HASHER, TEST_KEY, TEST_TOKENS, as_account_service, as_user

__all__ = ["as_user"]  # the tests' one way to act for a user (tests/tokens.py)


def acting(user_id: int) -> dict[str, str]:
    """The HTTP headers of a REST call made by `user_id`: an access token for them, as for gRPC (tests/tokens.py)."""
    return {"Authorization": f"Bearer {TEST_TOKENS.bearer(user_id)}"}


@dataclass
class LiveMesh:
    mesh: Mesh
    server: RunningServer
    client: AsyncChirpClient

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    async def settle(self, timeout: float = 10.0) -> None:
        """Waits until every event consumer has handled every stored event."""
        deadline = time.monotonic() + timeout
        while await self.mesh.flow.pending():
            if time.monotonic() > deadline:
                raise TimeoutError("event consumers did not catch up in time")
            await asyncio.sleep(0.01)

    async def register(self, handle: str) -> int:
        response = await self.client.graph.CreateUser(graph_pb.CreateUserRequest(handle=handle), metadata=as_account_service())
        return response.user.user_id

    async def follow(self, follower: int, followee: int) -> None:
        await self.client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=followee), metadata=as_user(follower))

    async def post(self, author: int, text: str, reply_to: int = 0) -> int:
        request = tweet_pb.CreateTweetRequest(text=text, in_reply_to_tweet_id=reply_to)
        return (await self.client.tweet.CreateTweet(request, metadata=as_user(author))).tweet.tweet_id

    async def home_ids(self, reader: int, page_size: int = 100) -> list[int]:
        """The first page of the reader's home timeline."""
        return [t.tweet_id for t in (await self._home_page(reader, page_size, "")).tweets]

    async def whole_home_ids(self, reader: int) -> list[int]:
        """Every page of the reader's home timeline: a run may post more than a page for one reader."""
        shown, token = [], ""
        while True:
            page = await self._home_page(reader, 100, token)
            shown += [t.tweet_id for t in page.tweets]
            if not (token := page.next_page_token):
                return shown

    async def _home_page(self, reader: int, page_size: int, page_token: str) -> timeline_pb.ListHomeTimelineResponse:
        request = timeline_pb.ListHomeTimelineRequest(page_size=page_size, page_token=page_token)
        return await self.client.timeline.ListHomeTimeline(request, metadata=as_user(reader))


def make_settings(data_dir: Path, **overrides) -> Settings:
    """Test settings: no rate limits (tests post, follow and like a lot), unless a test sets `rate_limits`."""
    values = dict(
        listen="127.0.0.1:0", data_dir=data_dir, page_token_secret=b"test-secret", celebrity_threshold=5, rate_limits={},
        jwt_private_key=TEST_KEY.pem(),
    )  # fmt: skip
    return Settings(**{**values, **overrides})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def clock():
    """The mesh's clock (ms); a test module may give one it moves."""
    return wall_clock_ms


@asynccontextmanager
async def serving(settings: Settings, clock=wall_clock_ms, hasher: PasswordHasher = FAST_HASHER) -> AsyncIterator[LiveMesh]:
    """The mesh and its server, verifying tokens as every server does, for the block."""
    mesh = await bootstrap(settings, clock=clock, hasher=hasher)
    server = await create_server(settings.listen, mesh.registrations(), mesh.authenticator)
    await mesh.start()
    client = AsyncChirpClient(f"127.0.0.1:{server.port}")
    try:
        yield LiveMesh(mesh, server, client)
    finally:
        await client.close()
        await server.stop(0)
        await mesh.close()


@pytest.fixture
async def live(settings: Settings, clock):
    async with serving(settings, clock) as running:
        yield running


@pytest.fixture
async def rest(live: LiveMesh):
    """An httpx client of a real REST gateway (uvicorn on a free port) in front of the live mesh."""
    edge = await open_edge("127.0.0.1:0", {name: live.target for name in NAMES})
    try:
        async with httpx.AsyncClient(base_url=edge.url, timeout=10) as client:
            yield client
    finally:
        await edge.close()


@pytest.fixture
async def postgres_dsn():
    """A fresh database on the local PostgreSQL server; unreachable fails the test."""
    async with fresh_postgres_database() as dsn:
        yield dsn


@asynccontextmanager
async def production_backends(tmp_path: Path, **overrides) -> AsyncIterator[Settings]:
    """Settings for the production backends: a fresh PostgreSQL database, Redis db 15 emptied, a RabbitMQ namespace."""
    await flush_test_redis()
    async with fresh_postgres_database() as dsn, fresh_bus_namespace() as namespace:
        yield make_settings(
            tmp_path, database_url=dsn, redis_url=REDIS_URL, rabbitmq_url=RABBITMQ_URL, bus_namespace=namespace, **overrides
        )


EVERY_STORE = ("memory", "redis", "production")


@asynccontextmanager
async def settings_on(store: str, tmp_path: Path, **overrides) -> AsyncIterator[Settings]:
    """Settings for one of EVERY_STORE: SQLite and the embedded bus with timelines and read copies in memory,
    the same with them on the Redis server, or the production backends (PostgreSQL, Redis, RabbitMQ)."""
    if store == "production":
        async with production_backends(tmp_path, **overrides) as settings:
            yield settings
        return
    if store == "redis":
        await flush_test_redis()
    yield make_settings(tmp_path, **({"redis_url": REDIS_URL} if store == "redis" else {}), **overrides)


@pytest.fixture
async def production_settings(tmp_path: Path):
    async with production_backends(tmp_path) as settings:
        yield settings


@pytest.fixture
async def redis():
    """A client of the test Redis database, emptied before the test and after it."""
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    """A 3-node Redis Cluster on loopback, shared by every test that asks for one."""
    cluster = LocalRedisCluster(tmp_path_factory.mktemp("redis-cluster")).start()
    yield cluster
    cluster.stop()
