"""Every RPC reachable through the REST edge is one meant to be: the RPCs with an http rule, held against an explicit list.

An RPC gains an http rule only by being added here too, with the reason it
may face the outside: internal ones (profile creation, id minting, the
fan-out's and search's own reads) must stay off the edge.
"""

from services.gateway.catalog import all_bindings

PUBLIC_RPCS = {
    # Accounts and sessions: how anyone gets an identity.
    "chirp.account.v1.AccountService": {"CreateAccount", "CreateSession", "RefreshSession", "DeleteSession", "ChangePassword", "ListPublicKeys"},
    # Profiles are read and followed here, never created (AccountService.CreateAccount makes them).
    # Blocks, mutes and suggestions act for the token's user alone.
    "chirp.graph.v1.GraphService": {"GetUser", "GetUserByHandle", "BatchGetUsers", "DeleteUser", "FollowUser", "UnfollowUser",
                                    "CheckFollowing", "ListFollowers", "ListFollowing", "BlockUser", "UnblockUser", "MuteUser",
                                    "UnmuteUser", "ListBlockedUsers", "ListMutedUsers", "ListSuggestions"},  # fmt: skip
    "chirp.tweet.v1.TweetService": {"CreateTweet", "GetTweet", "BatchGetTweets", "DeleteTweet", "LikeTweet", "UnlikeTweet", "Retweet",
                                    "UndoRetweet", "ListReplies", "ListUserTweets"},  # fmt: skip
    "chirp.timeline.v1.TimelineService": {"ListHomeTimeline"},
    "chirp.search.v1.SearchService": {"SearchTweets", "GetSearchStatus"},
    "chirp.trending.v1.TrendingService": {"ListTrendingHashtags"},
    "chirp.fanout.v1.FanoutService": {"GetFanoutStatus"},
    "chirp.notification.v1.NotificationService": {"ListNotifications", "GetUnreadCount", "MarkNotificationsRead"},
    # Decoding an id tells only what the id already holds; drawing ids (NextId, NextIds) is internal.
    "chirp.snowflake.v1.SnowflakeService": {"DecodeId"},
}
INTERNAL_NEVER_AT_THE_EDGE = {"GraphService/CreateUser", "SnowflakeService/NextId", "SnowflakeService/NextIds", "GraphService/ListFollowerIds",
                              "GraphService/ListFollowingIds", "GraphService/ListHiddenIds", "TweetService/ScanTweets",
                              "GraphService/BatchListFollowerIds", "GraphService/BatchListFollowersAmong"}  # fmt: skip


def test_the_edge_reaches_exactly_the_public_rpcs():
    reached = {f"{b.method.containing_service.full_name}/{b.method.name}" for b in all_bindings()}
    allowed = {f"{service}/{method}" for service, methods in PUBLIC_RPCS.items() for method in methods}
    assert reached - allowed == set(), "an RPC gained an http rule: add it to PUBLIC_RPCS only if the outside may call it"
    assert allowed - reached == set(), "a public RPC lost its http rule"


def test_the_internal_rpcs_have_no_http_rule():
    reached = {f"{b.method.containing_service.name}/{b.method.name}" for b in all_bindings()}
    assert reached & INTERNAL_NEVER_AT_THE_EDGE == set()
