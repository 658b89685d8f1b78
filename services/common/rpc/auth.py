"""The acting user: carried in request metadata, never in a request field.

Today the client library and the CLI set it; the authenticating edge will
set it later, so contracts need not change when authentication arrives.
"""

import grpc

from services.common.kernel.errors import Unauthenticated

USER_METADATA_KEY = "chirp-user-id"


def acting_user(context: grpc.aio.ServicerContext) -> int | None:
    for key, value in context.invocation_metadata() or ():
        if key == USER_METADATA_KEY:
            return _parse(value)
    return None


def require_user(context: grpc.aio.ServicerContext) -> int:
    user_id = acting_user(context)
    if user_id is None:
        raise Unauthenticated(f"this call acts for a user: send the user's id in the '{USER_METADATA_KEY}' metadata")
    return user_id


def _parse(value: str) -> int:
    if not value.isdigit() or int(value) == 0 or int(value) >= 2**63:
        raise Unauthenticated(f"'{USER_METADATA_KEY}' metadata must be a user id (a positive integer), got {value!r}")
    return int(value)
