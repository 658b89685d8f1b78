"""A grpc.aio server interceptor counting every unary RPC by status code and timing it, and tracing it when on.

It sits outside the error mapping, so it sees the status the caller gets.
Each method's series are looked up once, not on every call.
"""

import functools
import time

import grpc

from services.common.rpc.unary import WrappedHandlers
from services.common.telemetry.metrics import RPC_HANDLED, RPC_SECONDS
from services.common.telemetry.server_spans import ServerSpans


class RpcMetricsInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, spans: ServerSpans | None = None):
        self._spans = spans  # when tracing is on: each call's server span, inside this layer rather than one of its own
        self._handlers = WrappedHandlers(self._wrap)

    async def intercept_service(self, continuation, handler_call_details):
        return self._handlers(await continuation(handler_call_details), handler_call_details.method)

    def _wrap(self, behaviour, method: str):
        return _measured(behaviour if self._spans is None else self._spans.wrap(behaviour, method), method)


@functools.cache
def _timer(full_method: str):
    service, _, method = full_method.lstrip("/").rpartition("/")
    return RPC_SECONDS.labels(service, method)


@functools.cache
def _counter(full_method: str, code: grpc.StatusCode):
    service, _, method = full_method.lstrip("/").rpartition("/")
    return RPC_HANDLED.labels(service, method, code.name)


def _measured(behaviour, full_method: str):
    async def measured(request, context: grpc.aio.ServicerContext):
        started, code = time.perf_counter(), grpc.StatusCode.UNKNOWN
        try:
            response = await behaviour(request, context)
            code = _code_of(context, grpc.StatusCode.OK)
            return response
        except grpc.aio.AbortError:
            code = _code_of(context, grpc.StatusCode.UNKNOWN)
            raise
        finally:
            _timer(full_method).observe(time.perf_counter() - started)
            _counter(full_method, code).inc()

    return measured


def _code_of(context: grpc.aio.ServicerContext, default: grpc.StatusCode) -> grpc.StatusCode:
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code
    return next((c for c in grpc.StatusCode if c.value[0] == code), default) if code is not None else default
