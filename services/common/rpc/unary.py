"""Wrapping a unary handler's behaviour, for the server interceptors (errors to statuses, metrics)."""

from collections.abc import Callable

import grpc


def wrap_unary(handler: grpc.RpcMethodHandler | None, wrap: Callable) -> grpc.RpcMethodHandler | None:
    """The handler with its unary-unary behaviour passed through `wrap`; any other handler as it is."""
    if handler is None or handler.unary_unary is None:
        return handler
    return grpc.unary_unary_rpc_method_handler(
        wrap(handler.unary_unary),
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )
