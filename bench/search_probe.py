"""Searchable after post, in mesh mode: the time from sending a post until every Search replica finds it."""

import asyncio
import time
import uuid
from pathlib import Path

import grpc

from bench import systems
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.search.v1 import search_service_pb2 as search_pb
from chirp.search.v1 import search_service_pb2_grpc as search_grpc
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client.client import AsyncChirpClient
from chirp_client.credentials import key_holder_tokens
from chirp_client.metadata import acting_as

POLL_SECONDS = 0.005
PROBES_PER_SECOND = 5.0


async def searchable_after_post(workdir: Path, probes: int) -> dict:
    running = await systems.start_mesh(workdir, systems.free_ports(12))  # other runs on this machine may hold fixed ports
    channels = [grpc.aio.insecure_channel(address) for address in running.addresses("search")]
    try:
        replicas = [search_grpc.SearchServiceStub(channel) for channel in channels]
        async with AsyncChirpClient(running.target, timeout=10, credentials=key_holder_tokens()) as client:
            author = (await client.graph.CreateUser(graph_pb.CreateUserRequest(handle="prober"), metadata=client.credentials.as_service("account"))).user.user_id
            tasks = []
            for _ in range(probes):
                tasks.append(asyncio.create_task(_probe(client, replicas, author)))
                await asyncio.sleep(1 / PROBES_PER_SECOND)
            lags = sorted(await asyncio.gather(*tasks))
    finally:
        for channel in channels:
            await channel.close()
        await running.stop()
    return {"probes": probes, "replicas": len(channels), "p50_ms": _at(lags, 0.5), "p99_ms": _at(lags, 0.99), "max_ms": lags[-1]}


async def _probe(client: AsyncChirpClient, replicas, author: int) -> float:
    token = "probe" + uuid.uuid4().hex[:12].translate(str.maketrans("0123456789", "ghijklmnop"))  # one word, letters only
    sent = time.monotonic()
    request = tweet_pb.CreateTweetRequest(text=f"{token} is searchable")
    with acting_as(author):
        await client.tweet.CreateTweet(request)
    await asyncio.gather(*(_found(replica, token) for replica in replicas))
    return round((time.monotonic() - sent) * 1000, 1)


async def _found(replica, token: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not (await replica.SearchTweets(search_pb.SearchTweetsRequest(query=token), timeout=5)).tweets:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no replica found {token} within {timeout} s")
        await asyncio.sleep(POLL_SECONDS)


def _at(values: list[float], quantile: float) -> float:
    return values[min(len(values) - 1, int(quantile * len(values)))]
