"""`chirp load-graph`: registers a social graph the way the reference benchmark does.

Users 0..N-1 become `username_<id>`; every edge-list line `u v` becomes
two follows. Or `--generate N` makes a power-law graph instead. Reruns
reuse the accounts already there, so a load can be resumed.
"""

import argparse
import asyncio
import sys
from pathlib import Path

import grpc

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client.client import AsyncChirpClient
from chirp_client.credentials import key_holder_tokens
from chirp_client.graphs import power_law_follows, read_edge_list, reed98_like
from chirp_client.metadata import acting_as
from chirp_client.progress import Progress

DEFAULT_EDGES = Path(__file__).resolve().parents[3] / "shared/datasets/social-graph/socfb-Reed98.edges"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--edges", type=Path, help=f"edge-list file (default: {DEFAULT_EDGES}, when present; else a generated Reed98-like graph)"
    )
    parser.add_argument("--generate", type=int, metavar="N", help="generate a power-law graph of N users instead")
    parser.add_argument("--mean-following", type=int, default=200, help="with --generate: follows per user on average")
    parser.add_argument("--seed", type=int, default=7, help="with --generate: random seed")
    parser.add_argument("--tweets", type=int, default=0, help="sample tweets to post per user")
    parser.add_argument("--concurrency", type=int, default=32, help="calls in flight at once")


def main(args: argparse.Namespace) -> int:
    try:
        users, follows = _graph(args)
    except (OSError, ValueError) as error:
        print(f"chirp load-graph: {error}", file=sys.stderr)
        return 2
    try:
        asyncio.run(load(args.target, users, follows, args.tweets, args.concurrency))
    except grpc.RpcError as error:
        print(f"chirp load-graph: {error.code().name}: {error.details()}", file=sys.stderr)
        return 1
    return 0


def _graph(args) -> tuple[int, list[tuple[int, int]]]:
    if args.generate:
        return args.generate, list(power_law_follows(args.generate, args.mean_following, args.seed))
    if args.edges is not None:
        if not args.edges.exists():
            raise OSError(f"{args.edges} does not exist: pass an edge-list file, or --generate N for a power-law graph")
        return read_edge_list(args.edges)
    users, follows, source = reference_graph()
    print(f"chirp load-graph: {source}", file=sys.stderr)
    return users, follows


def reference_graph() -> tuple[int, list[tuple[int, int]], str]:
    """The reference benchmark's graph, socfb-Reed98, from its file when present; else a generated
    stand-in of the same size and degree spread. The third value says which it is."""
    if DEFAULT_EDGES.exists():
        users, follows = read_edge_list(DEFAULT_EDGES)
        return users, follows, f"socfb-Reed98 from {DEFAULT_EDGES}"
    users, follows = reed98_like()
    return users, follows, f"a generated Reed98-like graph ({DEFAULT_EDGES} is absent)"


async def load(target: str, users: int, follows: list[tuple[int, int]], tweets_per_user: int, concurrency: int) -> list[int]:
    async with AsyncChirpClient(target, timeout=30, credentials=key_holder_tokens()) as client:
        limit = asyncio.Semaphore(concurrency)
        ids = await _run(f"users ({users})", [_register(client, limit, i) for i in range(users)])
        await _run(f"follows ({len(follows)})", [_follow(client, limit, ids[u], ids[v]) for u, v in follows])
        posts = [_post(client, limit, ids[i], n) for i in range(users) for n in range(tweets_per_user)]
        await _run(f"tweets ({len(posts)})", posts)
    print(f"loaded {users} users, {len(follows)} follows, {len(posts)} tweets")
    return ids


async def _run(label: str, calls: list) -> list:
    with Progress(label, len(calls)) as bar:
        async def tracked(call):
            result = await call
            bar.update()
            return result

        return await asyncio.gather(*(tracked(c) for c in calls))


async def _register(client: AsyncChirpClient, limit: asyncio.Semaphore, index: int) -> int:
    handle = f"username_{index}"
    async with limit:
        try:
            return (await client.graph.CreateUser(graph_pb.CreateUserRequest(handle=handle), metadata=client.credentials.as_service("account"))).user.user_id
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise
            return (await client.graph.GetUserByHandle(graph_pb.GetUserByHandleRequest(handle=handle))).user.user_id


async def _follow(client: AsyncChirpClient, limit: asyncio.Semaphore, follower: int, followee: int) -> None:
    async with limit:
        with acting_as(follower):
            await client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=followee))


async def _post(client: AsyncChirpClient, limit: asyncio.Semaphore, author: int, n: int) -> None:
    async with limit:
        with acting_as(author):
            await client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text=f"sample tweet {n} from user {author} #chirp"))
