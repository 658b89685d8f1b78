"""The generated stubs of every Chirp service, as the registry lists them, for both clients."""

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.notification.v1 import notification_service_pb2 as notification_pb
from chirp.trending.v1 import trending_service_pb2 as trending_pb
from services.common.rpc.service_config import CHANNEL_OPTIONS
from services.registry import NAMES, SERVICES

__all__ = ["CHANNEL_OPTIONS", "SERVICE_KEYS", "Stubs", "parse_targets"]

SERVICE_KEYS = NAMES


def parse_targets(target: str) -> dict[str, str]:
    """Where each service is: one address for all (`127.0.0.1:50051`), or per service,
    `graph=127.0.0.1:50061;timeline=ipv4:127.0.0.1:50063,127.0.0.1:50064;...` (several
    addresses balance round-robin), with an optional bare address for the rest."""
    if "=" not in target:
        return dict.fromkeys(SERVICE_KEYS, target)
    targets, default = {}, ""
    for part in filter(None, (p.strip() for p in target.split(";"))):
        key, _, address = part.rpartition("=")
        if not key:
            default = address
        elif key not in SERVICE_KEYS:
            raise ValueError(f"unknown service {key!r} in target; known: {', '.join(SERVICE_KEYS)}")
        else:
            targets[key] = address
    return {key: targets.get(key, default) for key in SERVICE_KEYS if targets.get(key, default)}


class Stubs:
    """One typed stub per service, each on its service's channel: `stubs.graph`, `stubs.tweet`, ..."""

    def __init__(self, channels: dict):
        first = next(iter(channels.values()))
        for entry in SERVICES:
            setattr(self, entry.name, entry.stub(channels.get(entry.name, first)))

    def trends(self, window_minutes: int = 0, page_size: int = 0, page_token: str = ""):
        """The trending hashtags over the last window_minutes (0: an hour), highest score first;
        awaitable on the async client."""
        request = trending_pb.ListTrendingHashtagsRequest(window_minutes=window_minutes, page_size=page_size, page_token=page_token)
        return self.trending.ListTrendingHashtags(request)

    # Blocks and mutes, for the logged-in user (or the call's metadata); awaitable on the async client.
    def block(self, user_id: int, **call):
        """Block an account: follows between you end both ways, neither can follow the other, and each is hidden from the other."""
        return self.graph.BlockUser(graph_pb.BlockUserRequest(user_id=user_id), **call)

    def unblock(self, user_id: int, **call):
        return self.graph.UnblockUser(graph_pb.UnblockUserRequest(user_id=user_id), **call)

    def mute(self, user_id: int, **call):
        """Mute an account: hidden from your home timeline and notifications; follows stay."""
        return self.graph.MuteUser(graph_pb.MuteUserRequest(user_id=user_id), **call)

    def unmute(self, user_id: int, **call):
        return self.graph.UnmuteUser(graph_pb.UnmuteUserRequest(user_id=user_id), **call)

    def blocked(self, page_size: int = 0, page_token: str = "", **call):
        """The accounts you blocked, latest first: a ListBlockedUsersResponse."""
        return self.graph.ListBlockedUsers(graph_pb.ListBlockedUsersRequest(page_size=page_size, page_token=page_token), **call)

    def muted(self, page_size: int = 0, page_token: str = "", **call):
        """The accounts you muted, latest first: a ListMutedUsersResponse."""
        return self.graph.ListMutedUsers(graph_pb.ListMutedUsersRequest(page_size=page_size, page_token=page_token), **call)

    # Notifications, for the logged-in user (or the call's metadata); awaitable on the async client.
    def notifications(self, page_size: int = 0, page_token: str = "", **call):
        """Your notifications, most recently updated first: a ListNotificationsResponse."""
        request = notification_pb.ListNotificationsRequest(page_size=page_size, page_token=page_token)
        return self.notification.ListNotifications(request, **call)

    def unread_count(self, **call):
        """Your GetUnreadCountResponse."""
        return self.notification.GetUnreadCount(notification_pb.GetUnreadCountRequest(), **call)

    def mark_read(self, read_marker: str = "", **call):
        """Marks read up to a notification's read_marker (empty: everything); the response has the unread count."""
        return self.notification.MarkNotificationsRead(notification_pb.MarkNotificationsReadRequest(read_marker=read_marker), **call)
