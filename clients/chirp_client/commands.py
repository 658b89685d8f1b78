"""The `chirp` subcommands: their table, their arguments and the parser. Each command turns its arguments into one or two
calls and a text to print; they live by service (account_commands, graph_commands, tweet_commands, reading_commands)."""

import argparse
import os

from chirp_client.account_commands import change_password, delete_account, login, logout, register
from chirp_client.client import DEFAULT_TARGET
from chirp_client.graph_commands import block, blocked, follow, followers, following, mute, muted, show_user, suggestions, unblock, unfollow, unmute
from chirp_client.loader import add_arguments as add_loader_arguments
from chirp_client.reading_commands import fanout_status, home, notifications, search, search_status, trends
from chirp_client.tweet_commands import delete, like, post, replies, reply, retweet, tweets, unlike, unretweet

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
