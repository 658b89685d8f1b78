"""Notification's values as the contract's messages (protobuf stops here and at the entry point)."""

from chirp.notification.v1 import notification_service_pb2 as pb
from services.notification.service import Listed


def notification_message(listed: Listed, read_marker: str) -> pb.Notification:
    group = listed.shown.group
    message = pb.Notification(
        notification_id=group.group_id, kind=int(group.kind), tweet_id=group.subject_id,
        actors=[pb.Actor(user_id=a, handle=h) for a, h in listed.actors],
        actor_count=listed.shown.actor_count, summary=listed.summary, unread=listed.unread, read_marker=read_marker,
    )  # fmt: skip
    message.create_time.FromMilliseconds(group.first_at_ms)
    message.update_time.FromMilliseconds(group.last_at_ms)
    return message
