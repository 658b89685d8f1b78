"""The `chirp` subcommands: each turns its arguments into one or two calls and a text to print."""

import argparse
import os

from chirp.account.v1 import account_service_pb2 as account_pb
from chirp.fanout.v1 import fanout_service_pb2 as fanout_pb
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.search.v1 import search_service_pb2 as search_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import render
from chirp_client.client import DEFAULT_TARGET
from chirp_client.loader import add_arguments as add_loader_arguments
from chirp_client.session import Session


def register(s: Session, a) -> str:
    password = s.password("choose a password (8 characters or more): ")
    request = account_pb.CreateAccountRequest(handle=a.handle, password=password, display_name=a.name or "")
    created = s.client.account.CreateAccount(request)
    s.log_in(created.handle, password)
    return "registered " + render.user_line(s.user(created.handle)) + ", and logged in"


def login(s: Session, a) -> str:
    s.log_in(a.handle, s.password(f"password for @{a.handle}: "))
    return f"logged in as @{a.handle}"


def logout(s: Session, a) -> str:
    return f"logged @{s.log_out()} out"


def change_password(s: Session, a) -> str:
    s.me()
    current, new = s.password("current password: "), s.password("new password: ")
    s.client.account.ChangePassword(account_pb.ChangePasswordRequest(current_password=current, new_password=new))
    return "password changed; your other sessions have ended"


def show_user(s: Session, a) -> str:
    return render.user_line(s.user(a.handle))


def post(s: Session, a) -> str:
    tweet = s.client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text=a.text), metadata=s.me()).tweet
    return render.tweet_block(tweet)


def reply(s: Session, a) -> str:
    request = tweet_pb.CreateTweetRequest(text=a.text, in_reply_to_tweet_id=a.tweet_id)
    return render.tweet_block(s.client.tweet.CreateTweet(request, metadata=s.me()).tweet)


def follow(s: Session, a) -> str:
    user = s.client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=s.user(a.handle).user_id), metadata=s.me()).user
    return "following " + render.user_line(user)


def unfollow(s: Session, a) -> str:
    request = graph_pb.UnfollowUserRequest(user_id=s.user(a.handle).user_id)
    return "unfollowed " + render.user_line(s.client.graph.UnfollowUser(request, metadata=s.me()).user)


def block(s: Session, a) -> str:
    s.client.block(s.user(a.handle).user_id, metadata=s.me())
    return f"blocked @{a.handle}: follows between you ended both ways, and neither of you sees the other"


def unblock(s: Session, a) -> str:
    s.client.unblock(s.user(a.handle).user_id, metadata=s.me())
    return f"unblocked @{a.handle} (follows are not restored)"


def mute(s: Session, a) -> str:
    s.client.mute(s.user(a.handle).user_id, metadata=s.me())
    return f"muted @{a.handle}: hidden from your home timeline, still followed"


def unmute(s: Session, a) -> str:
    s.client.unmute(s.user(a.handle).user_id, metadata=s.me())
    return f"unmuted @{a.handle}"


def blocked(s: Session, a) -> str:
    return _users(s.client.blocked(a.limit, a.page_token, metadata=s.me()))


def muted(s: Session, a) -> str:
    return _users(s.client.muted(a.limit, a.page_token, metadata=s.me()))


def like(s: Session, a) -> str:
    return render.tweet_block(s.client.tweet.LikeTweet(tweet_pb.LikeTweetRequest(tweet_id=a.tweet_id), metadata=s.me()).tweet)


def unlike(s: Session, a) -> str:
    request = tweet_pb.UnlikeTweetRequest(tweet_id=a.tweet_id)
    return render.tweet_block(s.client.tweet.UnlikeTweet(request, metadata=s.me()).tweet)


def retweet(s: Session, a) -> str:
    return render.tweet_block(s.client.tweet.Retweet(tweet_pb.RetweetRequest(tweet_id=a.tweet_id), metadata=s.me()).tweet)


def unretweet(s: Session, a) -> str:
    s.client.tweet.UndoRetweet(tweet_pb.UndoRetweetRequest(tweet_id=a.tweet_id), metadata=s.me())
    return f"undid your retweet of {a.tweet_id}"


def delete(s: Session, a) -> str:
    s.client.tweet.DeleteTweet(tweet_pb.DeleteTweetRequest(tweet_id=a.tweet_id), metadata=s.me())
    return f"deleted tweet {a.tweet_id}"


def delete_account(s: Session, a) -> str:
    s.client.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=s.my_id()))
    s.forget()
    return "deleted your account, with its tweets, likes and follows"


def home(s: Session, a) -> str:
    request = timeline_pb.ListHomeTimelineRequest(page_size=a.limit, page_token=a.page_token)
    page = s.client.timeline.ListHomeTimeline(request, metadata=s.me())
    return render.tweet_list(page.tweets, page.next_page_token)


def tweets(s: Session, a) -> str:
    request = tweet_pb.ListUserTweetsRequest(user_id=s.user(a.handle).user_id, page_size=a.limit, page_token=a.page_token)
    page = s.client.tweet.ListUserTweets(request, metadata=s.optional_me())
    return render.tweet_list(page.tweets, page.next_page_token)


def replies(s: Session, a) -> str:
    request = tweet_pb.ListRepliesRequest(tweet_id=a.tweet_id, page_size=a.limit, page_token=a.page_token)
    page = s.client.tweet.ListReplies(request, metadata=s.optional_me())
    return render.tweet_list(page.tweets, page.next_page_token)


def followers(s: Session, a) -> str:
    request = graph_pb.ListFollowersRequest(user_id=s.user(a.handle).user_id, page_size=a.limit, page_token=a.page_token)
    return _users(s.client.graph.ListFollowers(request))


def following(s: Session, a) -> str:
    request = graph_pb.ListFollowingRequest(user_id=s.user(a.handle).user_id, page_size=a.limit, page_token=a.page_token)
    return _users(s.client.graph.ListFollowing(request))


def suggestions(s: Session, a) -> str:
    request = graph_pb.ListSuggestionsRequest(page_size=a.limit)
    return render.suggestion_list(s.client.graph.ListSuggestions(request, metadata=s.me()))


def fanout_status(s: Session, a) -> str:
    status = s.client.fanout.GetFanoutStatus(fanout_pb.GetFanoutStatusRequest())
    lag = status.oldest_pending_age.ToMilliseconds()
    return (
        f"queue depth {status.queue_depth}, oldest pending {lag} ms, events processed {status.events_processed}, "
        f"timeline writes {status.timeline_writes}, celebrity tweets not pushed {status.celebrity_tweets_skipped}, "
        f"dead letters {status.dead_letters}"
    )


def search(s: Session, a) -> str:
    order = search_pb.SEARCH_ORDER_RELEVANCE if a.relevance else search_pb.SEARCH_ORDER_RECENCY
    request = search_pb.SearchTweetsRequest(query=a.query, page_size=a.limit, page_token=a.page_token, order=order)
    page = s.client.search.SearchTweets(request, metadata=s.optional_me())
    return render.tweet_list(page.tweets, page.next_page_token)


def search_status(s: Session, a) -> str:
    status = s.client.search.GetSearchStatus(search_pb.GetSearchStatusRequest())
    state = search_pb.SearchIndexState.Name(status.state).removeprefix("SEARCH_INDEX_STATE_").lower().replace("_", " ")
    return f"{state}: {status.indexed_tweets} tweets indexed, {status.rebuild_scanned} read by the last rebuild, dead letters {status.dead_letters}"


def trends(s: Session, a) -> str:
    return render.trend_list(s.client.trends(a.window, a.limit, a.page_token))


def notifications(s: Session, a) -> str:
    if a.action == "unread":
        return f"{s.client.unread_count(metadata=s.me()).unread_count} unread"
    if a.action == "read":
        return f"marked read; {s.client.mark_read(a.marker, metadata=s.me()).unread_count} unread"
    return render.notification_list(s.client.notifications(a.limit, a.page_token, metadata=s.me()))


def _users(page) -> str:
    lines = [render.user_line(u) for u in page.users] or ["(nobody)"]
    return "\n".join(lines + ([f"more: --page-token {page.next_page_token}"] if page.next_page_token else []))


COMMANDS = {
    "register": register, "login": login, "logout": logout, "change-password": change_password, "user": show_user, "post": post, "reply": reply, "follow": follow, "unfollow": unfollow,
    "like": like, "unlike": unlike, "retweet": retweet, "unretweet": unretweet, "delete": delete,
    "delete-account": delete_account, "home": home, "tweets": tweets, "replies": replies,
    "followers": followers, "following": following, "suggestions": suggestions, "fanout-status": fanout_status,
    "block": block, "unblock": unblock, "mute": mute, "unmute": unmute, "blocked": blocked, "muted": muted,
    "search": search, "search-status": search_status,
    "trends": trends, "notifications": notifications,
}  # fmt: skip

ARGUMENTS = {
    "register": ("HANDLE NAME PASSWORD", "register a new account (asks for a password) and log in"),
    "login": ("HANDLE PASSWORD", "log in; the session is kept in ~/.config/chirp/sessions.json (0600)"),
    "logout": ("", "end the session of --as (or of the last login)"),
    "change-password": ("PASSWORD", "change your password (asks for the current one, then the new one)"),
    "user": ("HANDLE", "show an account"),
    "post": ("TEXT", "post a tweet"), "reply": ("ID TEXT", "reply to a tweet"),
    "follow": ("HANDLE", "follow an account"), "unfollow": ("HANDLE", "stop following an account"),
    "like": ("ID", "like a tweet"), "unlike": ("ID", "remove your like"), "retweet": ("ID", "retweet a tweet"),
    "unretweet": ("ID", "undo your retweet"), "delete": ("ID", "delete one of your tweets"),
    "delete-account": ("", "delete your account"), "home": ("PAGE", "read your home timeline"),
    "tweets": ("HANDLE PAGE", "read a user's tweets"), "replies": ("ID PAGE", "read the replies to a tweet"),
    "followers": ("HANDLE PAGE", "list an account's followers"),
    "following": ("HANDLE PAGE", "list the accounts one follows"), "fanout-status": ("", "show fan-out progress"),
    "suggestions": ("LIMIT", "suggest accounts to follow: followed by the accounts you follow"),
    "block": ("HANDLE", "block an account: follows end both ways, neither sees the other"),
    "unblock": ("HANDLE", "lift a block"), "mute": ("HANDLE", "hide an account from your home timeline, still following"),
    "unmute": ("HANDLE", "lift a mute"), "blocked": ("PAGE", "list the accounts you blocked"),
    "muted": ("PAGE", "list the accounts you muted"),
    "search": ("QUERY PAGE", 'search tweets: words, "phrases", #tags, @mentions, from:handle, -word, since:/until:YYYY-MM-DD'),
    "search-status": ("", "show whether the search index is ready or catching up"),
    "trends": ("WINDOW PAGE", "show the trending hashtags"),
    "notifications": ("NOTIFY PAGE", "your notifications (* unread); `unread` counts them; `read` marks them read"),
}  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chirp", description="Use the Chirp mesh from a terminal.")
    parser.add_argument("--target", default=os.environ.get("CHIRP_TARGET", DEFAULT_TARGET), help="mesh address")
    parser.add_argument(
        "--as", dest="acting_handle", default=os.environ.get("CHIRP_AS"), help="act as this logged-in handle (default: the last login)"
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="deadline per call, in seconds")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (params, help_text) in ARGUMENTS.items():
        _add_params(commands.add_parser(name, help=help_text), params.split())
    add_loader_arguments(commands.add_parser("load-graph", help="register a social graph and sample tweets"))
    return parser


def _add_params(sub: argparse.ArgumentParser, params: list[str]) -> None:
    for param in params:
        if param == "HANDLE":
            sub.add_argument("handle")
        elif param == "ID":
            sub.add_argument("tweet_id", type=int)
        elif param == "TEXT":
            sub.add_argument("text")
        elif param == "QUERY":
            sub.add_argument("query")
            sub.add_argument("--relevance", action="store_true", help="best match first (default: newest first)")
        elif param == "PASSWORD":
            sub.add_argument("--password-stdin", action="store_true", help="read the password(s) from stdin, a line each")
        elif param == "NAME":
            sub.add_argument("--name", help="display name (the handle when left out)")
        elif param == "NOTIFY":
            sub.add_argument("action", nargs="?", choices=("list", "unread", "read"), default="list")
            sub.add_argument("--marker", default="", help="with `read`: mark read up to this read marker (default: everything)")
        elif param == "WINDOW":
            sub.add_argument("--window", type=int, default=0, help="minutes to look back (default 60, at most 1440)")
        elif param == "LIMIT":
            sub.add_argument("--limit", type=int, default=10, help="how many to show (at most 100)")
        elif param == "PAGE":
            sub.add_argument("--limit", type=int, default=10, help="how many to show")
            sub.add_argument("--page-token", default="", help="continue from a previous page")
