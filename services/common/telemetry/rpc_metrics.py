"""Every unary RPC counted by status code and timed (served.py records each call after its failure is
answered, so the status is the one the caller gets). Each method's series are looked up once, not on every call."""

import functools

import grpc

from services.common.telemetry.metrics import RPC_HANDLED, RPC_SECONDS


@functools.cache
def _timer(full_method: str):
    service, _, method = full_method.lstrip("/").rpartition("/")
    return RPC_SECONDS.labels(service, method)


@functools.cache
def _counter(full_method: str, code: grpc.StatusCode):
    service, _, method = full_method.lstrip("/").rpartition("/")
    return RPC_HANDLED.labels(service, method, code.name)


def record(full_method: str, context: grpc.aio.ServicerContext, answered: bool, seconds: float) -> None:
    """One call's time and status: the status the context holds, else OK when the handler answered, else UNKNOWN."""
    _timer(full_method).observe(seconds)
    _counter(full_method, _code_of(context, grpc.StatusCode.OK if answered else grpc.StatusCode.UNKNOWN)).inc()


def _code_of(context: grpc.aio.ServicerContext, default: grpc.StatusCode) -> grpc.StatusCode:
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code
    return next((c for c in grpc.StatusCode if c.value[0] == code), default) if code is not None else default
