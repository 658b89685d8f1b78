"""The `chirp` commands of the graph service: accounts, follows, blocks, mutes, suggestions."""

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp_client import render
from chirp_client.session import Session


def show_user(s: Session, a) -> str:
    return render.user_line(s.user(a.handle))


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


def followers(s: Session, a) -> str:
    request = graph_pb.ListFollowersRequest(user_id=s.user(a.handle).user_id, page_size=a.limit, page_token=a.page_token)
    return _users(s.client.graph.ListFollowers(request))


def following(s: Session, a) -> str:
    request = graph_pb.ListFollowingRequest(user_id=s.user(a.handle).user_id, page_size=a.limit, page_token=a.page_token)
    return _users(s.client.graph.ListFollowing(request))


def suggestions(s: Session, a) -> str:
    request = graph_pb.ListSuggestionsRequest(page_size=a.limit)
    return render.suggestion_list(s.client.graph.ListSuggestions(request, metadata=s.me()))


def _users(page) -> str:
    lines = [render.user_line(u) for u in page.users] or ["(nobody)"]
    return "\n".join(lines + ([f"more: --page-token {page.next_page_token}"] if page.next_page_token else []))
