"""Graph domain objects as protobuf messages and back (used by every service that shows a user)."""

from datetime import timezone

from chirp.graph.v1 import graph_service_pb2 as pb
from services.graph.domain import User


def user_message(user: User) -> pb.User:
    message = pb.User(
        user_id=user.user_id,
        handle=user.handle,
        display_name=user.display_name,
        follower_count=user.follower_count,
        following_count=user.following_count,
        celebrity=user.celebrity,
    )
    message.create_time.FromDatetime(user.created_at)
    return message


def user_from_message(message: pb.User) -> User:
    return User(
        user_id=message.user_id,
        handle=message.handle,
        display_name=message.display_name,
        created_at=message.create_time.ToDatetime(tzinfo=timezone.utc),
        follower_count=message.follower_count,
        following_count=message.following_count,
        celebrity=message.celebrity,
    )
