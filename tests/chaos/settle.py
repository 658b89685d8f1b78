"""After the fault: find lost acknowledged writes, settle the calls that failed, and check the rest
(counts exact, every home timeline exactly its followees' tweets, newest first, no duplicates, no deleted ones)."""

import asyncio
import time

import grpc

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from tests.chaos.mixed_load import MixedLoad
from tests.conftest import as_user
from tests.integration.consistency import assert_timelines_consistent


async def patiently(call, attempts: int = 20):
    """A call that may still meet the tail of the fault: retried on UNAVAILABLE and deadlines."""
    for attempt in range(attempts):
        try:
            return await call()
        except grpc.aio.AioRpcError as error:
            if error.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED) or attempt == attempts - 1:
                raise
            await asyncio.sleep(0.5)


async def user_tweets(load: MixedLoad, author: int) -> dict[int, str]:
    found, token = {}, ""
    while True:
        request = tweet_pb.ListUserTweetsRequest(user_id=author, page_size=100, page_token=token)
        page = await patiently(lambda: load.client.tweet.ListUserTweets(request, metadata=as_user(author)))
        found.update({t.tweet_id: t.text for t in page.tweets})
        if not (token := page.next_page_token):
            return found


async def settle(load: MixedLoad) -> None:
    """Records lost acknowledged writes, then makes the model exact: failed posts found or not, failed
    deletes, follows, unfollows and likes applied again."""
    report, client = load.report, load.client
    for author in load.users:
        shown = await user_tweets(load, author)
        report.lost += [f"tweet {t} by {author}, acknowledged, is gone" for t in load.posted[author] if t not in shown and t not in load.unsure_deletes]
        report.lost += [f"tweet {t}, deleted with an acknowledgement, is back" for t in shown if t in load.deleted]
        by_text = {text: t for t, text in shown.items()}
        load.posted[author] += [by_text[text] for text in load.unsure_posts[author] if text in by_text]
        for tweet_id in [t for t in load.unsure_deletes if t in load.posted[author]]:
            request = tweet_pb.DeleteTweetRequest(tweet_id=tweet_id)
            try:
                await patiently(lambda: client.tweet.DeleteTweet(request, metadata=as_user(author)))
            except grpc.aio.AioRpcError as error:
                assert error.code() == grpc.StatusCode.NOT_FOUND, error  # the failed delete had been applied
            load._deleted(author, tweet_id)
    unsure_follows = {(a, t) for (kind, a, t) in load.unsure_pairs if kind == "follow"}
    for actor in load.users:
        response = await patiently(lambda: client.graph.ListFollowingIds(graph_pb.ListFollowingIdsRequest(user_id=actor)))
        shown = set(response.user_ids)
        for target in (shown ^ load.follows[actor]) - {t for (a, t) in unsure_follows if a == actor}:
            report.lost.append(f"{actor} follows {target}: {target in shown} shown, {target in load.follows[actor]} acknowledged")
    for key, wanted in list(load.unsure_pairs.items()):
        if key[0] == "like" and key[2] in load.deleted:
            continue
        await patiently(lambda: load._apply_pair(key, wanted))
        load._set_pair(key, wanted)


async def check_counts(load: MixedLoad) -> None:
    client, report = load.client, load.report
    for user in load.users:
        got = (await patiently(lambda: client.graph.GetUser(graph_pb.GetUserRequest(user_id=user)))).user
        followers = sum(user in followees for followees in load.follows.values())
        if (got.follower_count, got.following_count) != (followers, len(load.follows[user])):
            report.count_mismatches.append(f"user {user}: {got.follower_count}/{got.following_count}, expected {followers}/{len(load.follows[user])}")
    for tweet_id in [t for ts in load.posted.values() for t in ts]:
        got = (await patiently(lambda: client.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=tweet_id)))).tweet
        likes = sum(1 for (_, t) in load.likes if t == tweet_id)
        if got.like_count != likes:
            report.count_mismatches.append(f"tweet {tweet_id}: {got.like_count} likes, expected {likes}")


async def check_timelines(load: MixedLoad, timeout: float = 90.0) -> float:
    """Waits (fan-out catching up) until every home timeline is exactly right; returns how long it took."""

    async def home_ids(reader: int) -> list[int]:
        shown, token = [], ""
        while True:
            request = timeline_pb.ListHomeTimelineRequest(page_size=100, page_token=token)
            page = await patiently(lambda: load.client.timeline.ListHomeTimeline(request, metadata=as_user(reader)))
            shown += [t.tweet_id for t in page.tweets]
            if not (token := page.next_page_token):
                return shown

    started = time.monotonic()
    while True:
        try:
            await assert_timelines_consistent(home_ids, load.follows, load.posted)
            return time.monotonic() - started
        except AssertionError:
            if time.monotonic() - started > timeout:
                raise
            await asyncio.sleep(0.5)
