"""What the gateway measurements read: readers whose home timelines hold tweets, made through the gRPC API."""

import asyncio

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client.client import AsyncChirpClient
from chirp_client.credentials import key_holder_tokens
from chirp_client.metadata import acting_as


async def setup_readers(target: str, readers: int, authors: int, tweets_each: int) -> list[int]:
    """`readers` users, each following the same `authors`, who posted `tweets_each` tweets apiece."""
    async with AsyncChirpClient(target, timeout=30, credentials=key_holder_tokens()) as client:
        profile_maker = client.credentials.as_service("account")  # tools holding the key make profiles as the account service does
        made = await asyncio.gather(*(client.graph.CreateUser(graph_pb.CreateUserRequest(handle=f"gw_{kind}_{n}"), metadata=profile_maker)
                                      for kind, count in (("reader", readers), ("author", authors)) for n in range(count)))  # fmt: skip
        ids = [response.user.user_id for response in made]
        reader_ids, author_ids = ids[:readers], ids[readers:]
        for reader in reader_ids:
            with acting_as(reader):
                await asyncio.gather(*(client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=a)) for a in author_ids))
        for author in author_ids:
            with acting_as(author):
                for n in range(tweets_each):
                    await client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text=f"gateway bench {n} from {author}"))
    return reader_ids
