"""Graph domain objects as protobuf messages (used by every service that shows a user)."""

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
