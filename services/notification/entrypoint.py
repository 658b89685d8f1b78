"""NotificationService over gRPC: the acting user from the token, read markers signed like page tokens."""

import grpc

from chirp.notification.v1 import notification_service_pb2 as pb
from chirp.notification.v1 import notification_service_pb2_grpc as pb_grpc
from services.common.kernel.errors import InvalidArgument
from services.common.kernel.pagination import PageLimits, PageTokens
from services.common.rpc.auth import require_user
from services.common.rpc.server import Registration
from services.notification.messages import notification_message
from services.notification.service import NotificationService

NOTIFICATION_PAGES = PageLimits(default=20, maximum=100)

Context = grpc.aio.ServicerContext


class NotificationServicer(pb_grpc.NotificationServiceServicer):
    def __init__(self, notifications: NotificationService, tokens: PageTokens):
        self._notifications, self._tokens = notifications, tokens

    async def ListNotifications(self, request: pb.ListNotificationsRequest, context: Context) -> pb.ListNotificationsResponse:
        user_id = require_user(context)
        scope = f"notifications/{user_id}"
        page = await self._notifications.list(user_id, self._tokens.request(scope, NOTIFICATION_PAGES, request.page_size, request.page_token))
        marker_scope = _marker_scope(user_id)
        return pb.ListNotificationsResponse(
            notifications=[notification_message(n, self._tokens.encode(marker_scope, n.shown.group.position)) for n in page.items],
            next_page_token=self._tokens.next_token(scope, page.next_cursor),
        )

    async def GetUnreadCount(self, request: pb.GetUnreadCountRequest, context: Context) -> pb.GetUnreadCountResponse:
        return pb.GetUnreadCountResponse(unread_count=await self._notifications.unread_count(require_user(context)))

    async def MarkNotificationsRead(self, request: pb.MarkNotificationsReadRequest, context: Context) -> pb.MarkNotificationsReadResponse:
        user_id = require_user(context)
        position = self._marker(user_id, request.read_marker) if request.read_marker else None
        return pb.MarkNotificationsReadResponse(unread_count=await self._notifications.mark_read(user_id, position))

    def _marker(self, user_id: int, marker: str) -> int:
        try:
            return self._tokens.decode(_marker_scope(user_id), marker)
        except InvalidArgument:
            raise InvalidArgument(
                "read_marker is not valid: pass the read_marker of one of your own notifications as ListNotifications gave it,"
                " or leave it empty to mark everything read",
                field="read_marker",
            ) from None


def _marker_scope(user_id: int) -> str:
    return f"notifications/read/{user_id}"


def registration(notifications: NotificationService, tokens: PageTokens) -> Registration:
    servicer = NotificationServicer(notifications, tokens)
    return Registration.of(pb, "NotificationService", pb_grpc.add_NotificationServiceServicer_to_server, servicer)
