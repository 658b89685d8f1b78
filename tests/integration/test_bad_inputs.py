"""Bad inputs across the mesh, over real gRPC: each is refused with a status and a
message a person can act on, and none of them stores anything.

One table drives one test. Every case runs against a fresh mesh holding the same
small world (three users, a few tweets, a like, a retweet, a reply, a deleted tweet),
and compares what is stored before and after the call.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from chirp.account.v1 import account_service_pb2 as account_pb
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.notification.v1 import notification_service_pb2 as notification_pb
from chirp.search.v1 import search_service_pb2 as search_pb
from chirp.snowflake.v1 import snowflake_service_pb2 as snowflake_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.trending.v1 import trending_service_pb2 as trending_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from services.common.storage.sqlite import Database
from tests.conftest import LiveMesh, acting, as_user
from tests.tokens import OTHER_KEY, TEST_KEY, TEST_MINTER, as_account_service, bearer, claims_for, signed, with_claims_swapped

INVALID, NOT_FOUND = grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND
UNAUTHENTICATED, DENIED = grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED
EXISTS, UNIMPLEMENTED = grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.UNIMPLEMENTED

UNKNOWN_ID = 987_654_321  # a well-formed id that names no tweet and no user
GHOST_ID = 123_456_789  # a well-formed acting user id that has no account
NO_USER = "send 'authorization: Bearer <access token>'"
PASSWORD = "dave's long password"
LONG_URL = "https://example.com/" + "p" * 300  # 320 characters that weigh 23
TABLES = (
    "outbox", "users", "follows", "blocks", "mutes", "tweets", "likes", "accounts", "refresh_tokens", "notification_groups", "notification_reads",
)  # fmt: skip
FAILED = grpc.StatusCode.FAILED_PRECONDITION


@dataclass
class World:
    live: LiveMesh
    alice: int
    bob: int
    carol: int
    hello: int  # alice's; bob likes it, retweeted it and replied to it
    full: int  # alice's: exactly 280 ASCII characters, which is allowed
    linked: int  # alice's: 525 characters with URLs, weighing 228, which is allowed
    retweet: int  # bob's retweet of hello
    reply: int  # bob's reply to hello
    gone: int  # alice's, deleted
    alice_token: str  # a real page token from alice's tweet list
    dave: int  # registered with PASSWORD, logged in; blocked carol
    dave_access: str
    ghost: int = GHOST_ID
    nobody: int = 0  # no id at all

    @property
    def account(self):
        return self.live.client.account

    @property
    def graph(self):
        return self.live.client.graph

    @property
    def tweet(self):
        return self.live.client.tweet

    @property
    def timeline(self):
        return self.live.client.timeline

    @property
    def snowflake(self):
        return self.live.client.snowflake

    @property
    def search(self):
        return self.live.client.search

    @property
    def trending(self):
        return self.live.client.trending

    def tampered_token(self) -> str:
        middle = len(self.alice_token) // 2
        flipped = "B" if self.alice_token[middle] == "A" else "A"
        return self.alice_token[:middle] + flipped + self.alice_token[middle + 1 :]


async def build_world(live: LiveMesh) -> World:
    alice, bob, carol = [await live.register(h) for h in ("alice", "bob", "carol")]
    await live.follow(bob, alice)
    full = await live.post(alice, "a" * 280)
    linked = await live.post(alice, f"see {LONG_URL} " + "b" * 200)
    hello = await live.post(alice, "hello #chirp")
    gone = await live.post(alice, "soon gone")
    await live.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=gone), metadata=as_user(alice))
    await live.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=hello), metadata=as_user(bob))
    retweeted = await live.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=hello), metadata=as_user(bob))
    reply = await live.post(bob, "hi alice", reply_to=hello)
    page = await live.client.tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=alice, page_size=1))
    assert [t.tweet_id for t in page.tweets] == [hello] and page.next_page_token
    dave = (await live.client.account.CreateAccount(account_pb.CreateAccountRequest(handle="dave", password=PASSWORD))).user_id
    session = (await live.client.account.CreateSession(account_pb.CreateSessionRequest(handle="dave", password=PASSWORD))).session
    await live.client.graph.BlockUser(graph_pb.BlockUserRequest(user_id=carol), metadata=as_user(dave))
    await live.settle()
    retweet = retweeted.tweet.tweet_id
    return World(live, alice, bob, carol, hello, full, linked, retweet, reply, gone, page.next_page_token, dave, session.access_token)


async def stored(w: World) -> dict:
    """Everything a bad input could have changed, from the tables and through the API."""
    await w.live.settle()
    db = await Database.open(w.live.mesh.settings.database_path)  # the tables themselves, read apart from the mesh
    try:
        state: dict = {t: (await db.fetch_one(f"SELECT COUNT(*) FROM {t}"))[0] for t in TABLES}
        state["deleted tweets"] = (await db.fetch_one("SELECT COUNT(*) FROM tweets WHERE deleted = 1"))[0]
        state["password of dave"] = (await db.fetch_one("SELECT password_hash FROM accounts WHERE user_id = ?", (w.dave,)))[0]
    finally:
        await db.close()
    users = await w.graph.BatchGetUsers(graph_pb.BatchGetUsersRequest(user_ids=[w.alice, w.bob, w.carol]))
    state["users"] = [(u.handle, u.display_name, u.follower_count, u.following_count) for u in users.users]
    for user_id in (w.alice, w.bob, w.carol):
        page = await w.tweet.ListUserTweets(tweet_pb.ListUserTweetsRequest(user_id=user_id, page_size=100))
        state[f"tweets of {user_id}"] = [t.tweet_id for t in page.tweets]
    shown = await w.tweet.BatchGetTweets(tweet_pb.BatchGetTweetsRequest(tweet_ids=[w.hello, w.full, w.linked, w.reply]))
    state["tweet counts"] = [(t.tweet_id, t.like_count, t.retweet_count, t.reply_count) for t in shown.tweets]
    state["bob's home"] = await w.live.home_ids(w.bob)
    return state


@dataclass(frozen=True)
class Case:
    call: Callable[[World], Awaitable]
    code: grpc.StatusCode
    fragment: str
    field: str | None = None  # the field a google.rpc.BadRequest violation must name


def post(text: str, actor: str = "alice", reply_to: Callable[[World], int] = lambda w: 0):
    return lambda w: w.tweet.CreateTweet(
        tweet_pb.CreateTweetRequest(text=text, in_reply_to_tweet_id=reply_to(w)), metadata=as_user(getattr(w, actor))
    )


def user_tweets(user: str, page_size: int = 0, token: Callable[[World], str] = lambda w: ""):
    return lambda w: w.tweet.ListUserTweets(
        tweet_pb.ListUserTweetsRequest(user_id=getattr(w, user), page_size=page_size, page_token=token(w))
    )


def search(query: str, page_size: int = 0, token: Callable[[World], str] = lambda w: ""):
    return lambda w: w.search.SearchTweets(search_pb.SearchTweetsRequest(query=query, page_size=page_size, page_token=token(w)))


def trends(window_minutes: int = 0, page_size: int = 0, token: Callable[[World], str] = lambda w: ""):
    return lambda w: w.trending.ListTrendingHashtags(
        trending_pb.ListTrendingHashtagsRequest(window_minutes=window_minutes, page_size=page_size, page_token=token(w))
    )


def notifications(actor: str | None = "alice", page_size: int = 0, token: Callable[[World], str] = lambda w: ""):
    return lambda w: w.live.client.notification.ListNotifications(
        notification_pb.ListNotificationsRequest(page_size=page_size, page_token=token(w)),
        metadata=as_user(getattr(w, actor)) if actor else None,
    )


def mark_read(marker: Callable[[World], str], actor: str | None = "alice"):
    return lambda w: w.live.client.notification.MarkNotificationsRead(
        notification_pb.MarkNotificationsReadRequest(read_marker=marker(w)), metadata=as_user(getattr(w, actor)) if actor else None
    )


def hidden_ids(of: str, caller: Callable[[World], Sequence]):
    return lambda w: w.graph.ListHiddenIds(graph_pb.ListHiddenIdsRequest(user_id=getattr(w, of)), metadata=caller(w))


def follower_pages(*requests: Callable[[World], graph_pb.ListFollowerIdsRequest]):
    asked = lambda w: [request(w) for request in requests]  # noqa: E731
    return lambda w: w.graph.BatchListFollowerIds(graph_pb.BatchListFollowerIdsRequest(requests=asked(w)))


def followers_among(*questions: tuple[str, int]):
    """Each question: whose followers (a World attribute), and how many candidates (alice, bob, carol, ...)."""
    asked = lambda w: [graph_pb.ListFollowersAmongRequest(followee_id=getattr(w, of), candidate_ids=[w.bob] * n) for of, n in questions]  # noqa: E731
    return lambda w: w.graph.BatchListFollowersAmong(graph_pb.BatchListFollowersAmongRequest(requests=asked(w)))


def alice_followers(page_size: int = 0, token: Callable[[World], str] = lambda w: ""):
    return lambda w: graph_pb.ListFollowerIdsRequest(user_id=w.alice, page_size=page_size, page_token=token(w))


def create_user(handle: str, display_name: str = "", caller: Callable[[World], Sequence] = lambda w: as_account_service()):
    return lambda w: w.graph.CreateUser(graph_pb.CreateUserRequest(handle=handle, display_name=display_name), metadata=caller(w))


CASES = [
    # Tweet text, weighed by the twitter-text rules.
    pytest.param(Case(post("字" * 141), INVALID, "weighs 282", "text"), id="text-141-cjk-weighs-282"),
    pytest.param(Case(post("a" * 281), INVALID, "weighs 281", "text"), id="text-281-ascii"),
    pytest.param(Case(post("https://example.com/ " + "a" * 257), INVALID, "weighs 281", "text"), id="text-url-counts-23"),
    pytest.param(Case(post("a" * 5000), INVALID, "at most 280", "text"), id="text-5000-chars"),
    pytest.param(Case(post(""), INVALID, "text is empty", "text"), id="text-empty"),
    pytest.param(Case(post(" \t\n\u3000 "), INVALID, "text is empty", "text"), id="text-whitespace-only"),
    pytest.param(Case(post("hi \ufffe there"), INVALID, "U+FFFE", "text"), id="text-invalid-char-U+FFFE"),
    pytest.param(Case(post("x" * 2_000_000), grpc.StatusCode.RESOURCE_EXHAUSTED, "larger than max"), id="request-over-1MiB"),
    # Ids past 2^63 fit the uint64 fields but can name nothing.
    pytest.param(
        Case(lambda w: w.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=2**63)), INVALID, "is not an id", "tweet_id"),
        id="tweet-id-past-2^63",
    ),
    pytest.param(
        Case(lambda w: w.graph.GetUser(graph_pb.GetUserRequest(user_id=2**64 - 1)), INVALID, "is not an id", "user_id"),
        id="user-id-past-2^63",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.FollowUser(graph_pb.FollowUserRequest(user_id=2**63), metadata=as_user(w.carol)),
            INVALID,
            "is not an id",
            "user_id",
        ),
        id="follow-id-past-2^63",
    ),
    pytest.param(Case(post("reply", reply_to=lambda w: 2**63), INVALID, "is not an id", "in_reply_to_tweet_id"), id="reply-to-id-past-2^63"),
    # Tweets that are not there, or not yours.
    pytest.param(
        Case(
            lambda w: w.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=UNKNOWN_ID)),
            NOT_FOUND,
            f"tweet {UNKNOWN_ID} does not exist",
        ),
        id="get-unknown-tweet",
    ),
    pytest.param(
        Case(lambda w: w.tweet.GetTweet(tweet_pb.GetTweetRequest()), INVALID, "tweet_id is required", "tweet_id"),
        id="get-tweet-without-id",
    ),
    pytest.param(
        Case(
            lambda w: w.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=UNKNOWN_ID), metadata=as_user(w.carol)),
            NOT_FOUND,
            f"tweet {UNKNOWN_ID} does not exist",
        ),
        id="like-unknown-tweet",
    ),
    pytest.param(
        Case(
            lambda w: w.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=w.gone), metadata=as_user(w.carol)),
            NOT_FOUND,
            "was deleted",
        ),
        id="like-deleted-tweet",
    ),
    pytest.param(
        Case(
            lambda w: w.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=UNKNOWN_ID), metadata=as_user(w.carol)),
            NOT_FOUND,
            f"tweet {UNKNOWN_ID} does not exist",
        ),
        id="retweet-unknown-tweet",
    ),
    pytest.param(
        Case(
            lambda w: w.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=UNKNOWN_ID), metadata=as_user(w.alice)),
            NOT_FOUND,
            f"tweet {UNKNOWN_ID} does not exist",
        ),
        id="delete-unknown-tweet",
    ),
    pytest.param(
        Case(
            lambda w: w.tweet.ListReplies(tweet_pb.ListRepliesRequest(tweet_id=UNKNOWN_ID)),
            NOT_FOUND,
            f"tweet {UNKNOWN_ID} does not exist",
        ),
        id="replies-of-unknown-tweet",
    ),
    pytest.param(
        Case(post("hi?", reply_to=lambda w: UNKNOWN_ID), NOT_FOUND, f"tweet {UNKNOWN_ID} does not exist"),
        id="reply-to-missing-tweet",
    ),
    pytest.param(Case(post("hi?", reply_to=lambda w: w.gone), NOT_FOUND, "was deleted"), id="reply-to-deleted-tweet"),
    pytest.param(
        Case(
            lambda w: w.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=w.hello), metadata=as_user(w.bob)),
            DENIED,
            "only its author may delete it",
        ),
        id="delete-someone-elses-tweet",
    ),
    pytest.param(
        Case(
            lambda w: w.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=w.hello), metadata=as_user(w.bob)),
            EXISTS,
            "already retweeted",
        ),
        id="retweet-twice",
    ),
    pytest.param(
        Case(
            lambda w: w.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=w.retweet), metadata=as_user(w.bob)),
            EXISTS,
            "already retweeted",
        ),
        id="retweet-twice-through-the-retweet",
    ),
    pytest.param(
        Case(
            lambda w: w.tweet.UndoRetweet(tweet_pb.UndoRetweetRequest(tweet_id=w.full), metadata=as_user(w.bob)),
            NOT_FOUND,
            "have not retweeted",
        ),
        id="undo-retweet-never-made",
    ),
    pytest.param(
        Case(
            lambda w: w.tweet.BatchGetTweets(tweet_pb.BatchGetTweetsRequest(tweet_ids=[w.hello] * 201)),
            INVALID,
            "at most 200",
            "tweet_ids",
        ),
        id="batch-get-201-tweets",
    ),
    # Users that are not there, or not yours.
    pytest.param(
        Case(
            lambda w: w.graph.GetUser(graph_pb.GetUserRequest(user_id=UNKNOWN_ID)), NOT_FOUND, f"no user has id {UNKNOWN_ID}"
        ),
        id="get-unknown-user",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.FollowUser(graph_pb.FollowUserRequest(user_id=UNKNOWN_ID), metadata=as_user(w.carol)),
            NOT_FOUND,
            f"no user has id {UNKNOWN_ID}",
        ),
        id="follow-unknown-user",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.ListFollowers(graph_pb.ListFollowersRequest(user_id=UNKNOWN_ID)),
            NOT_FOUND,
            f"no user has id {UNKNOWN_ID}",
        ),
        id="followers-of-unknown-user",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.GetUserByHandle(graph_pb.GetUserByHandleRequest(handle="nobody_here")),
            NOT_FOUND,
            "no user has the handle 'nobody_here'",
        ),
        id="get-unknown-handle",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.GetUserByHandle(graph_pb.GetUserByHandleRequest(handle="no body")),
            INVALID,
            "letters, digits or underscores",
            "handle",
        ),
        id="get-invalid-handle",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.CheckFollowing(graph_pb.CheckFollowingRequest(followee_id=w.alice)),
            INVALID,
            "follower_id is required",
            "follower_id",
        ),
        id="check-following-without-follower",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.FollowUser(graph_pb.FollowUserRequest(user_id=w.carol), metadata=as_user(w.carol)),
            INVALID,
            "cannot follow yourself",
            "user_id",
        ),
        id="follow-yourself",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=w.alice), metadata=as_user(w.bob)),
            DENIED,
            "only its owner",
        ),
        id="delete-someone-elses-account",
    ),
    # Blocks and mutes.
    pytest.param(
        Case(
            lambda w: w.graph.BlockUser(graph_pb.BlockUserRequest(user_id=UNKNOWN_ID), metadata=as_user(w.carol)),
            NOT_FOUND,
            f"no user has id {UNKNOWN_ID}",
        ),
        id="block-unknown-user",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.BlockUser(graph_pb.BlockUserRequest(user_id=w.carol), metadata=as_user(w.carol)),
            INVALID,
            "cannot block yourself",
            "user_id",
        ),
        id="block-yourself",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.MuteUser(graph_pb.MuteUserRequest(user_id=w.bob), metadata=as_user(w.bob)),
            INVALID,
            "cannot mute yourself",
            "user_id",
        ),
        id="mute-yourself",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.MuteUser(graph_pb.MuteUserRequest(user_id=UNKNOWN_ID), metadata=as_user(w.bob)),
            NOT_FOUND,
            f"no user has id {UNKNOWN_ID}",
        ),
        id="mute-unknown-user",
    ),
    pytest.param(Case(lambda w: w.graph.BlockUser(graph_pb.BlockUserRequest(user_id=w.alice)), UNAUTHENTICATED, NO_USER), id="block-without-user"),
    pytest.param(
        Case(
            lambda w: w.graph.FollowUser(graph_pb.FollowUserRequest(user_id=w.dave), metadata=as_user(w.carol)),
            FAILED,
            "one of them blocked the other",
            "user_id",
        ),
        id="follow-someone-who-blocked-you",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.FollowUser(graph_pb.FollowUserRequest(user_id=w.carol), metadata=as_user(w.dave)),
            FAILED,
            "once the block is lifted",
            "user_id",
        ),
        id="follow-someone-you-blocked",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.ListBlockedUsers(graph_pb.ListBlockedUsersRequest(page_token=w.alice_token), metadata=as_user(w.dave)),
            INVALID,
            "belongs to a different list",
            "page_token",
        ),
        id="blocked-list-with-another-lists-token",
    ),
    pytest.param(Case(create_user("ALICE"), EXISTS, "'ALICE' is taken"), id="duplicate-handle-other-case"),
    # Who blocked whom is private: ListHiddenIds takes the reading services' tokens, or the user asking about themselves.
    pytest.param(Case(hidden_ids("dave", lambda w: as_user(w.carol)), DENIED, "ListHiddenIds is internal"), id="hidden-ids-of-another-user"),
    pytest.param(Case(hidden_ids("dave", lambda w: ()), DENIED, "ListHiddenIds is internal"), id="hidden-ids-anonymous"),
    pytest.param(
        Case(hidden_ids("carol", lambda w: bearer(TEST_MINTER.mint_service("fanout"))), DENIED, "only the timeline, tweet, search and notification"),
        id="hidden-ids-as-a-service-that-does-not-read-them",
    ),
    pytest.param(Case(create_user("squatter", caller=lambda w: ()), DENIED, "register with AccountService.CreateAccount"), id="create-user-anonymous"),
    pytest.param(Case(create_user("squatter", caller=lambda w: as_user(w.alice)), DENIED, "only the account service"), id="create-user-as-a-user"),
    pytest.param(Case(create_user("squatter", caller=lambda w: bearer(TEST_MINTER.mint_service("tweet"))), DENIED, "only the account service"),
                 id="create-user-as-another-service"),
    pytest.param(
        Case(create_user("al ice!"), INVALID, "letters, digits or underscores", "handle"), id="handle-bad-characters"
    ),
    pytest.param(Case(create_user("a" * 16), INVALID, "1 to 15", "handle"), id="handle-too-long"),
    pytest.param(
        Case(create_user("dave", "D" * 51), INVALID, "the limit is 50", "display_name"), id="display-name-51-chars"
    ),
    pytest.param(
        Case(create_user("dave", "Dave\nAdmin"), INVALID, "control characters", "display_name"),
        id="display-name-control-character",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.BatchGetUsers(graph_pb.BatchGetUsersRequest(user_ids=[w.alice] * 1001)),
            INVALID,
            "at most 1000",
            "user_ids",
        ),
        id="batch-get-1001-users",
    ),
    # Fan-out's batch calls: at most 100 requests, and 100,000 ids or candidates in all; a bad request fails the call.
    pytest.param(Case(follower_pages(*[alice_followers()] * 101), INVALID, "at most 100 at a time", "requests"), id="follower-pages-101"),
    pytest.param(
        Case(follower_pages(*[alice_followers(10_000)] * 11), INVALID, "at most 100000", "requests"), id="follower-pages-110000-ids"
    ),
    pytest.param(
        Case(follower_pages(alice_followers(), alice_followers(-1)), INVALID, "must not be negative", "requests[1].page_size"),
        id="follower-pages-negative-size",
    ),
    pytest.param(
        Case(follower_pages(alice_followers(token=lambda w: w.alice_token)), INVALID, "different list", "requests[0].page_token"),
        id="follower-pages-token-of-another-list",
    ),
    pytest.param(
        Case(follower_pages(lambda w: graph_pb.ListFollowerIdsRequest(user_id=2**63)), INVALID, "is not an id", "requests[0].user_id"),
        id="follower-pages-id-past-2^63",
    ),
    pytest.param(Case(followers_among(*[("alice", 1)] * 101), INVALID, "at most 100 at a time", "requests"), id="followers-among-101"),
    pytest.param(
        Case(followers_among(("alice", 60_000), ("carol", 40_001)), INVALID, "at most 100000", "requests"),
        id="followers-among-100001-candidates",
    ),
    pytest.param(
        Case(followers_among(("alice", 1), ("nobody", 1)), INVALID, "followee_id is required", "requests[1].followee_id"),
        id="followers-among-no-followee",
    ),
    # The acting user: missing, malformed, or without an account.
    pytest.param(
        Case(lambda w: w.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="hi")), UNAUTHENTICATED, NO_USER),
        id="post-without-user",
    ),
    pytest.param(
        Case(lambda w: w.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=w.hello)), UNAUTHENTICATED, NO_USER),
        id="like-without-user",
    ),
    pytest.param(
        Case(lambda w: w.graph.FollowUser(graph_pb.FollowUserRequest(user_id=w.alice)), UNAUTHENTICATED, NO_USER),
        id="follow-without-user",
    ),
    pytest.param(
        Case(lambda w: w.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest()), UNAUTHENTICATED, NO_USER),
        id="home-without-user",
    ),
    # The old plain user header is trusted by no one: forging it acts for nobody.
    pytest.param(
        Case(
            lambda w: w.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="hi"), metadata=[("chirp-user-id", str(w.alice))]),
            UNAUTHENTICATED,
            NO_USER,
        ),
        id="post-with-forged-user-header",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=w.alice), metadata=[("chirp-user-id", str(w.alice))]),
            UNAUTHENTICATED,
            NO_USER,
        ),
        id="delete-account-with-forged-user-header",
    ),
    # Access tokens that must not work: each is UNAUTHENTICATED, never INTERNAL.
    *(
        pytest.param(Case(lambda w, make=make: w.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="hi"), metadata=bearer(make(w))),
                          UNAUTHENTICATED, fragment), id=name)
        for name, make, fragment in [
            ("token-expired", lambda w: signed(claims_for(w.alice, iat=1, nbf=1, exp=2)), "has expired"),
            ("token-not-yet-valid", lambda w: signed(claims_for(w.alice, nbf=int(2e9))), "not yet valid"),
            ("token-bad-signature", lambda w: signed(claims_for(w.alice), key=OTHER_KEY, kid=TEST_KEY.public.kid), "Signature verification failed"),
            ("token-alg-none", lambda w: signed(claims_for(w.alice), algorithm="none"), "signed with EdDSA, not 'none'"),
            ("token-alg-hs256-with-the-public-key", lambda w: signed(claims_for(w.alice), algorithm="HS256"), "not 'HS256'"),
            ("token-unknown-key-id", lambda w: signed(claims_for(w.alice), key=OTHER_KEY), "not (or no longer) published"),
            ("token-claims-tampered", lambda w: with_claims_swapped(TEST_MINTER.mint(w.bob), sub=str(w.alice)), "Signature verification failed"),
            ("token-wrong-audience", lambda w: signed(claims_for(w.alice, aud="another-mesh")), "Audience doesn't match"),
            ("token-wrong-issuer", lambda w: signed(claims_for(w.alice, iss="someone-else")), "Invalid issuer"),
            ("token-without-expiry", lambda w: signed({k: v for k, v in claims_for(w.alice).items() if k != "exp"}), "exp"),
            ("token-naming-no-user", lambda w: signed(claims_for(w.alice, sub="alice")), "names no user"),
            ("token-not-a-jwt", lambda w: "not-a-token", "not a JWT"),
        ]
    ),
    pytest.param(
        Case(lambda w: w.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="hi"), metadata=[("authorization", "Basic YWxpY2U6eA==")]),
             UNAUTHENTICATED, "'Bearer <access token>'"),
        id="authorization-not-bearer",
    ),
    pytest.param(
        Case(lambda w: w.tweet.GetTweet(tweet_pb.GetTweetRequest(tweet_id=w.hello), metadata=bearer("x.y.z")), UNAUTHENTICATED, "not a JWT"),
        id="bad-token-on-a-read-that-needs-no-user",
    ),
    # Accounts: registering, logging in, refreshing, changing a password.
    pytest.param(
        Case(lambda w: w.account.CreateAccount(account_pb.CreateAccountRequest(handle="erin", password="short")), INVALID,
             "8 to 1024 characters", "password"),
        id="register-short-password",
    ),
    pytest.param(
        Case(lambda w: w.account.CreateAccount(account_pb.CreateAccountRequest(handle="ALICE", password=PASSWORD)), EXISTS, "taken"),
        id="register-taken-handle",
    ),
    pytest.param(
        Case(lambda w: w.account.CreateSession(account_pb.CreateSessionRequest(handle="dave", password="not dave's password")),
             UNAUTHENTICATED, "wrong handle or password"),
        id="login-wrong-password",
    ),
    pytest.param(
        Case(lambda w: w.account.CreateSession(account_pb.CreateSessionRequest(handle="nobody", password=PASSWORD)),
             UNAUTHENTICATED, "wrong handle or password"),
        id="login-unknown-handle",
    ),
    pytest.param(
        Case(lambda w: w.account.CreateSession(account_pb.CreateSessionRequest(handle="alice", password=PASSWORD)),
             UNAUTHENTICATED, "wrong handle or password"),
        id="login-to-a-profile-without-password",
    ),
    pytest.param(
        Case(lambda w: w.account.RefreshSession(account_pb.RefreshSessionRequest(refresh_token="made-up")), UNAUTHENTICATED,
             "refresh token is unknown"),
        id="refresh-unknown-token",
    ),
    pytest.param(
        Case(lambda w: w.account.ChangePassword(account_pb.ChangePasswordRequest(current_password="wrong one!", new_password="n" * 9),
                                                metadata=bearer(w.dave_access)), DENIED, "current password is wrong", "current_password"),
        id="change-password-wrong-current",
    ),
    pytest.param(
        Case(lambda w: w.account.ChangePassword(account_pb.ChangePasswordRequest(current_password=PASSWORD, new_password="n"),
                                                metadata=bearer(w.dave_access)), INVALID, "8 to 1024", "new_password"),
        id="change-password-short-new",
    ),
    pytest.param(
        Case(lambda w: w.account.ChangePassword(account_pb.ChangePasswordRequest(current_password=PASSWORD, new_password="n" * 9)),
             UNAUTHENTICATED, NO_USER),
        id="change-password-without-token",
    ),
    pytest.param(
        Case(lambda w: w.account.ChangePassword(account_pb.ChangePasswordRequest(current_password=PASSWORD, new_password="n" * 9),
                                                metadata=as_user(w.alice)), DENIED, "no password to change"),
        id="change-password-of-another-account-is-only-your-own",
    ),
    pytest.param(
        Case(post("hi", actor="ghost"), UNAUTHENTICATED, "has no account; register first"), id="post-as-user-without-account"
    ),
    pytest.param(
        Case(
            lambda w: w.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=w.hello), metadata=as_user(w.ghost)),
            UNAUTHENTICATED,
            "has no account; register first",
        ),
        id="like-as-user-without-account",
    ),
    pytest.param(
        Case(
            lambda w: w.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), metadata=as_user(w.ghost)),
            UNAUTHENTICATED,
            "has no account",
        ),
        id="home-as-user-without-account",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.FollowUser(graph_pb.FollowUserRequest(user_id=w.alice), metadata=as_user(w.ghost)),
            UNAUTHENTICATED,
            "has no account",
        ),
        id="follow-as-user-without-account",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.UnfollowUser(graph_pb.UnfollowUserRequest(user_id=w.alice), metadata=as_user(w.ghost)),
            UNAUTHENTICATED,
            "has no account",
        ),
        id="unfollow-as-user-without-account",
    ),
    # Pages: sizes and tokens.
    pytest.param(
        Case(user_tweets("alice", page_size=-1), INVALID, "must not be negative", "page_size"), id="negative-page-size"
    ),
    pytest.param(
        Case(
            lambda w: w.graph.ListFollowers(graph_pb.ListFollowersRequest(user_id=w.alice, page_size=-5)),
            INVALID,
            "must not be negative",
            "page_size",
        ),
        id="negative-page-size-followers",
    ),
    pytest.param(
        Case(
            lambda w: w.timeline.ListHomeTimeline(
                timeline_pb.ListHomeTimelineRequest(page_size=-1), metadata=as_user(w.bob)
            ),
            INVALID,
            "must not be negative",
            "page_size",
        ),
        id="negative-page-size-home",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.ListSuggestions(graph_pb.ListSuggestionsRequest(page_size=-1), metadata=as_user(w.bob)),
            INVALID,
            "page_size must not be negative",
            "page_size",
        ),
        id="negative-page-size-suggestions",
    ),
    pytest.param(
        Case(lambda w: w.graph.ListSuggestions(graph_pb.ListSuggestionsRequest()), UNAUTHENTICATED, NO_USER),
        id="suggestions-without-token",
    ),
    pytest.param(
        Case(
            lambda w: w.graph.ListSuggestions(graph_pb.ListSuggestionsRequest(), metadata=as_user(w.ghost)),
            UNAUTHENTICATED,
            "has no account; register first",
        ),
        id="suggestions-as-user-without-account",
    ),
    pytest.param(
        Case(user_tweets("alice", token=lambda w: "not a token"), INVALID, "page_token is not valid", "page_token"),
        id="malformed-page-token",
    ),
    pytest.param(
        Case(user_tweets("alice", token=lambda w: "abcde"), INVALID, "page_token is not valid", "page_token"),
        id="page-token-not-base64",
    ),
    pytest.param(
        Case(user_tweets("alice", token=World.tampered_token), INVALID, "altered", "page_token"), id="tampered-page-token"
    ),
    pytest.param(
        Case(user_tweets("bob", token=lambda w: w.alice_token), INVALID, "belongs to a different list", "page_token"),
        id="page-token-of-another-users-list",
    ),
    pytest.param(
        Case(
            lambda w: w.timeline.ListHomeTimeline(
                timeline_pb.ListHomeTimelineRequest(page_token=w.alice_token), metadata=as_user(w.alice)
            ),
            INVALID,
            "belongs to a different list",
            "page_token",
        ),
        id="page-token-of-another-method",
    ),
    # Ids, and the services not built yet.
    pytest.param(
        Case(lambda w: w.snowflake.NextIds(snowflake_pb.NextIdsRequest(count=0)), INVALID, "1 to 4096", "count"),
        id="next-ids-count-0",
    ),
    pytest.param(
        Case(lambda w: w.snowflake.NextIds(snowflake_pb.NextIdsRequest(count=5000)), INVALID, "1 to 4096", "count"),
        id="next-ids-count-5000",
    ),
    # Search queries.
    *(
        pytest.param(Case(search(query), INVALID, fragment, "query"), id=name)
        for name, query, fragment in [
            ("search-unbalanced-quote", 'hello "brown fox', "unbalanced quote: the phrase opened at position 7"),
            ("search-empty", "", "query is empty"),
            ("search-blank", "   ", "query is empty"),
            ("search-over-long", "a" * 513, "513 characters long; at most 512"),
            ("search-from-no-handle", "hello from:", "from: at position 7 names no handle"),
            ("search-bad-date", "since:2026-02-30", "since:2026-02-30 at position 1"),
            ("search-not-a-date", "chirp until:yesterday", "'yesterday' is not a date"),
            ("search-only-excludes", "-chirp", "query only excludes"),
            ("search-lone-dash", "chirp - x", "'-' at position 7 excludes nothing"),
            ("search-bad-hashtag", "#123", "'#123' at position 1 is not a hashtag"),
        ]
    ),
    pytest.param(
        Case(search("hello", token=lambda w: w.tampered_token()), INVALID, "page_token is not valid", "page_token"),
        id="search-forged-page-token",
    ),
    pytest.param(
        Case(search("hello", token=lambda w: w.alice_token), INVALID, "belongs to a different list", "page_token"),
        id="search-page-token-of-another-list",
    ),
    pytest.param(
        Case(search("hello", page_size=-1), INVALID, "page_size must not be negative", "page_size"),
        id="search-negative-page-size",
    ),
    # Trending.
    pytest.param(Case(trends(window_minutes=-1), INVALID, "window_minutes must be from 1 to 1440", "window_minutes"), id="trends-negative-window"),
    pytest.param(Case(trends(window_minutes=1441), INVALID, "window_minutes must be from 1 to 1440", "window_minutes"), id="trends-window-over-a-day"),
    pytest.param(Case(trends(page_size=-1), INVALID, "must not be negative", "page_size"), id="trends-negative-page-size"),
    pytest.param(Case(trends(token=lambda w: w.alice_token), INVALID, "belongs to a different list", "page_token"), id="trends-token-of-another-list"),
    pytest.param(Case(trends(token=World.tampered_token), INVALID, "altered", "page_token"), id="trends-tampered-token"),
    # Notifications.
    pytest.param(Case(mark_read(World.tampered_token), INVALID, "read_marker is not valid", "read_marker"), id="notifications-forged-read-marker"),
    pytest.param(Case(mark_read(lambda w: w.alice_token), INVALID, "read_marker is not valid", "read_marker"),
                 id="notifications-page-token-as-read-marker"),  # fmt: skip
    pytest.param(Case(mark_read(lambda w: "not-a-marker"), INVALID, "read_marker is not valid", "read_marker"), id="notifications-garbage-read-marker"),
    pytest.param(Case(mark_read(lambda w: "", actor=None), UNAUTHENTICATED, NO_USER), id="notifications-mark-read-without-user"),
    pytest.param(Case(notifications(page_size=-1), INVALID, "must not be negative", "page_size"), id="notifications-negative-page-size"),
    pytest.param(Case(notifications(token=lambda w: w.alice_token), INVALID, "belongs to a different list", "page_token"),
                 id="notifications-token-of-another-list"),  # fmt: skip
    pytest.param(Case(notifications(actor=None), UNAUTHENTICATED, NO_USER), id="notifications-without-user"),
]


@pytest.mark.parametrize("case", CASES)
async def test_bad_input_is_refused_clearly_and_stores_nothing(live: LiveMesh, case: Case):
    world = await build_world(live)
    before = await stored(world)

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await case.call(world)

    error = caught.value
    assert error.code() == case.code, error.details()
    assert case.fragment in error.details()
    if case.code == INVALID:
        assert case.field is not None, "every INVALID_ARGUMENT case names the field to fix"
    if case.field is not None:
        assert case.field in fields_named_by(error)
    assert await stored(world) == before


def fields_named_by(error: grpc.aio.AioRpcError) -> list[str]:
    """The fields named by the google.rpc.BadRequest detail of the error's status."""
    status = rpc_status.from_call(error)
    assert status is not None, f"no google.rpc.Status detail in {error.code().name}: {error.details()}"
    fields = []
    for detail in status.details:
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            fields += [violation.field for violation in bad_request.field_violations]
    return fields


# The same refusals over REST, and the gateway's own: each a JSON google.rpc.Status with grpc-gateway's HTTP code.
@dataclass(frozen=True)
class RestCase:
    method: str
    path: Callable[[World], str]
    http: int
    code: grpc.StatusCode
    fragment: str
    field: str | None = None
    json: object = None
    content: bytes | None = None
    actor: str | None = None
    headers: Callable[[World], dict] = lambda w: {}


REST_CASES = [
    pytest.param(RestCase("POST", lambda w: "/v1/tweets", 400, INVALID, "weighs 281", "text", json={"text": "a" * 281}, actor="alice"),
                 id="rest-text-281-ascii"),
    pytest.param(RestCase("GET", lambda w: f"/v1/tweets/{UNKNOWN_ID}", 404, NOT_FOUND, f"tweet {UNKNOWN_ID} does not exist"), id="rest-get-unknown-tweet"),
    pytest.param(RestCase("GET", lambda w: f"/v1/tweets/{2**63}", 400, INVALID, "is not an id", "tweet_id"), id="rest-tweet-id-past-2^63"),
    pytest.param(RestCase("DELETE", lambda w: f"/v1/tweets/{w.hello}", 403, DENIED, "only its author may delete it", actor="bob"),
                 id="rest-delete-someone-elses-tweet"),
    pytest.param(RestCase("POST", lambda w: f"/v1/tweets/{w.hello}:retweet", 409, EXISTS, "already retweeted", actor="bob"), id="rest-retweet-twice"),
    pytest.param(RestCase("POST", lambda w: "/v1/accounts", 409, EXISTS, "'ALICE' is taken", json={"handle": "ALICE", "password": "long enough 1"}),
                 id="rest-duplicate-handle"),
    pytest.param(RestCase("POST", lambda w: "/v1/users", 404, NOT_FOUND, "no method is bound", json={"handle": "squatter"}), id="rest-no-profile-without-account"),
    pytest.param(RestCase("POST", lambda w: "/v1/tweets", 401, UNAUTHENTICATED, "acts for a user", json={"text": "hi"}), id="rest-post-without-user"),
    pytest.param(RestCase("POST", lambda w: "/v1/tweets", 401, UNAUTHENTICATED, "acts for a user", json={"text": "hi"},
                          headers=lambda w: {"chirp-user-id": str(w.alice)}), id="rest-forged-chirp-user-id-is-stripped"),  # fmt: skip
    pytest.param(RestCase("GET", lambda w: f"/v1/users/{w.alice}/tweets?page_token={w.tampered_token()}", 400, INVALID, "altered", "page_token"),
                 id="rest-tampered-page-token"),
    pytest.param(RestCase("GET", lambda w: f"/v1/users/{w.alice}/followers?pageSize=-5", 400, INVALID, "must not be negative", "page_size"),
                 id="rest-negative-page-size"),
    pytest.param(RestCase("POST", lambda w: f"/v1/users/{w.bob}:block", 400, INVALID, "cannot block yourself", "user_id", json={}, actor="bob"),
                 id="rest-block-yourself"),
    pytest.param(RestCase("POST", lambda w: f"/v1/users/{UNKNOWN_ID}:mute", 404, NOT_FOUND, f"no user has id {UNKNOWN_ID}", json={}, actor="bob"),
                 id="rest-mute-unknown-user"),
    pytest.param(RestCase("GET", lambda w: "/v1/tweets:search?query=hello%20%22brown", 400, INVALID, "unbalanced quote", "query"),
                 id="rest-search-unbalanced-quote"),
    pytest.param(RestCase("POST", lambda w: "/v1/ids:batchNext", 404, NOT_FOUND, "no method is bound", json={"count": 3}), id="rest-no-ids-at-the-edge"),
    pytest.param(RestCase("POST", lambda w: "/v1/me/notifications:markRead", 400, INVALID, "read_marker is not valid", "read_marker",
                          json={"readMarker": "forged"}, actor="alice"), id="rest-notifications-forged-read-marker"),  # fmt: skip
    # The gateway's own refusals: nothing reaches a service.
    pytest.param(RestCase("POST", lambda w: "/v1/tweets", 400, INVALID, "not valid JSON", content=b'{"text": "hi', actor="alice"), id="rest-malformed-json"),
    pytest.param(RestCase("POST", lambda w: "/v1/tweets", 400, INVALID, "inReplyToTweetId", json={"text": "hi", "inReplyToTweetId": "x"},
                          actor="alice"), id="rest-wrong-type-in-body"),  # fmt: skip
    pytest.param(RestCase("GET", lambda w: "/v1/tweets/hello", 400, INVALID, "tweet_id"), id="rest-wrong-type-in-path"),
    pytest.param(RestCase("GET", lambda w: f"/v1/users/{w.alice}/tweets?page_size=many", 400, INVALID, "page_size"), id="rest-wrong-type-in-query"),
    pytest.param(RestCase("GET", lambda w: f"/v1/users/{w.alice}/tweets?limit=5", 400, INVALID, "'limit' names no field"), id="rest-unknown-query-parameter"),
    pytest.param(RestCase("POST", lambda w: "/v1/tweets", 413, grpc.StatusCode.RESOURCE_EXHAUSTED, "over the gateway's limit",
                          json={"text": "x" * 2_000_000}, actor="alice"), id="rest-body-over-1MiB"),  # fmt: skip
    pytest.param(RestCase("GET", lambda w: "/v1/tweets/1/likes", 404, NOT_FOUND, "no method is bound"), id="rest-unknown-path"),
    pytest.param(RestCase("PATCH", lambda w: f"/v1/tweets/{w.hello}", 405, UNIMPLEMENTED, "takes DELETE, GET"), id="rest-wrong-method"),
    pytest.param(RestCase("POST", lambda w: "/v1/tweets:scan", 404, NOT_FOUND, "no method is bound", json={}), id="rest-internal-rpc-unreachable"),
]  # fmt: skip


@pytest.mark.parametrize("case", REST_CASES)
async def test_bad_rest_input_is_refused_clearly_and_stores_nothing(live: LiveMesh, rest, case: RestCase):
    world = await build_world(live)
    before = await stored(world)
    headers = {**case.headers(world), **(acting(getattr(world, case.actor)) if case.actor else {})}

    response = await rest.request(case.method, case.path(world), json=case.json, content=case.content, headers=headers)

    body = response.json()
    assert (response.status_code, body["code"]) == (case.http, case.code.value[0]), body
    assert case.fragment in body["message"]
    if case.field is not None:
        named = [v["field"] for d in body["details"] if d["@type"].endswith("google.rpc.BadRequest") for v in d["fieldViolations"]]
        assert case.field in named or case.field in body["message"]
    assert await stored(world) == before
