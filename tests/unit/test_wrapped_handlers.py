"""Interceptors wrap each method's handler once: the same wrapped handler serves call after call, and
handlers made anew on each call are wrapped each time without being kept past MAX_WRAPPED; a response
already encoded (bytes) is sent as it is."""

import grpc

from services.common.rpc import unary
from services.common.rpc.unary import WrappedHandlers


async def behaviour(request, context):
    return request


def counting_wraps() -> tuple[WrappedHandlers, list[str]]:
    made: list[str] = []

    def wrap(inner, method):
        made.append(method)

        async def wrapped(request, context):
            return await inner(request, context)

        return wrapped

    return WrappedHandlers(wrap), made


async def test_a_methods_handler_is_wrapped_once_and_handed_out_again():
    handlers, made = counting_wraps()
    handler = grpc.unary_unary_rpc_method_handler(behaviour)
    first = handlers(handler, "/s/A")
    assert handlers(handler, "/s/A") is first and made == ["/s/A"]
    assert handlers(handler, "/s/B") is not first and made == ["/s/A", "/s/B"]
    assert await first.unary_unary(b"x", None) == b"x"


def test_no_handler_and_streaming_handlers_pass_as_they_are():
    handlers, made = counting_wraps()
    streaming = grpc.unary_stream_rpc_method_handler(behaviour)
    assert handlers(None, "/s/A") is None and handlers(streaming, "/s/S") is streaming and made == []


def test_handlers_made_on_every_call_are_not_kept_past_the_bound(monkeypatch):
    monkeypatch.setattr(unary, "MAX_WRAPPED", 3)
    handlers, made = counting_wraps()
    for _ in range(10):
        handlers(grpc.unary_unary_rpc_method_handler(lambda request, context: request), "/s/A")
    assert len(made) == 10 and len(handlers) == 3


def test_a_wrapped_handler_sends_an_encoded_response_as_it_is_and_encodes_a_message():
    handlers, _ = counting_wraps()
    wrapped = handlers(grpc.unary_unary_rpc_method_handler(behaviour, response_serializer=lambda message: b"encoded:" + message.encode()), "/s/A")
    assert wrapped.response_serializer(b"\x0a\x01x") == b"\x0a\x01x"
    assert wrapped.response_serializer("message") == b"encoded:message"
