"""Wrapping a unary handler's behaviour, for the server interceptors (errors to statuses, metrics, the acting user).

grpc.aio asks every interceptor for a call's handler on each call, and a
server's handlers are the same objects call after call: each is wrapped
once and the wrapped one is handed out again (WrappedHandlers). A wrapped
handler may answer with its response already encoded (bytes, see wire.py),
which is sent as it is instead of being decoded only to be encoded again.
"""

from collections.abc import Callable

import grpc

MAX_WRAPPED = 1_000  # handlers kept wrapped per interceptor; past it (handlers made per call), each call wraps anew


def wrap_unary(handler: grpc.RpcMethodHandler | None, wrap: Callable) -> grpc.RpcMethodHandler | None:
    """The handler with its unary-unary behaviour passed through `wrap`; any other handler as it is."""
    if handler is None or handler.unary_unary is None:
        return handler
    return grpc.unary_unary_rpc_method_handler(
        wrap(handler.unary_unary),
        request_deserializer=handler.request_deserializer,
        response_serializer=_encoded_or(handler.response_serializer),
    )


def _encoded_or(serializer: Callable | None) -> Callable | None:
    """The serializer, passing a response that is already its encoding (bytes) through unchanged."""
    if serializer is None:
        return None
    return lambda response: response if response.__class__ is bytes else serializer(response)


class WrappedHandlers:
    """`wrap_unary` with `wrap(behaviour, method)`, made once for each method's handler."""

    def __init__(self, wrap: Callable[[Callable, str], Callable]):
        self._wrap = wrap
        self._made: dict[tuple[str, grpc.RpcMethodHandler], grpc.RpcMethodHandler | None] = {}

    def __call__(self, handler: grpc.RpcMethodHandler | None, method: str) -> grpc.RpcMethodHandler | None:
        key = (method, handler)
        made = self._made.get(key)
        if made is None:
            made = wrap_unary(handler, lambda behaviour: self._wrap(behaviour, method))
            if len(self._made) < MAX_WRAPPED:
                self._made[key] = made
        return made

    def __len__(self) -> int:
        """How many wrapped handlers are kept."""
        return len(self._made)
