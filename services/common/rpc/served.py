"""Every unary call a server answers, served through one layer.

In one coroutine, the call is run as its verified caller (auth.py: the
token is checked before the handler runs), any failure is answered with
its status (status.py), and the call is timed and counted by the status
the caller gets (telemetry/rpc_metrics.py). When tracing is on, each call's
server span wraps all of that (telemetry/server_spans.py). grpc.aio asks
every interceptor for the handler and runs every wrapper on each call, so
one layer does in one step what three did in three; the wrapped handler
is made once per method (unary.py).
"""

import time

import grpc

from services.common.rpc.auth import Authenticator, act_as, stop_acting
from services.common.rpc.status import answer_failure
from services.common.rpc.unary import WrappedHandlers
from services.common.telemetry.rpc_metrics import record
from services.common.telemetry.server_spans import ServerSpans


class ServedCalls(grpc.aio.ServerInterceptor):
    """authenticator: None serves every call as anonymous; spans: None leaves calls untraced."""

    def __init__(self, authenticator: Authenticator | None = None, spans: ServerSpans | None = None):
        self._authenticator, self._spans = authenticator, spans
        self._handlers = WrappedHandlers(self._wrap)

    async def intercept_service(self, continuation, handler_call_details):
        return self._handlers(await continuation(handler_call_details), handler_call_details.method)

    def _wrap(self, behaviour, method: str):
        served = _served(behaviour, method, self._authenticator)
        return served if self._spans is None else self._spans.wrap(served, method)


def _served(behaviour, method: str, authenticator: Authenticator | None):
    identify = authenticator.identify if authenticator is not None else lambda _metadata: None

    async def served(request, context: grpc.aio.ServicerContext):
        started, answered = time.perf_counter(), False
        try:
            acting = act_as(identify(context.invocation_metadata()))
            try:
                response = await behaviour(request, context)
            finally:
                stop_acting(acting)
            answered = True
            return response
        except (grpc.aio.AbortError, grpc.aio.UsageError):
            raise
        except Exception as error:
            await answer_failure(error, method, context)
        finally:
            record(method, context, answered, time.perf_counter() - started)

    return served
