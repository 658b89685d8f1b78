"""Calling another service of the mesh: one channel per target, failures as domain errors.

A target is one address or several (`ipv4:127.0.0.1:50064,127.0.0.1:50065`);
the channel balances calls over them with gRPC's round_robin policy and
retries idempotent calls on UNAVAILABLE (see service_config.py).
"""

from collections.abc import Iterator
from contextlib import contextmanager

import grpc

from services.common.kernel import errors
from services.common.rpc.service_config import CHANNEL_OPTIONS

INTERNAL_CALL_SECONDS = 5.0

_PASSED_ON = {
    grpc.StatusCode.INVALID_ARGUMENT: errors.InvalidArgument,
    grpc.StatusCode.NOT_FOUND: errors.NotFound,
    grpc.StatusCode.ALREADY_EXISTS: errors.AlreadyExists,
    grpc.StatusCode.RESOURCE_EXHAUSTED: errors.ResourceExhausted,
    # The caller's own token, forwarded, refused further on: its session ended or its account went while the
    # marks reached this process a moment later (marks.py). The caller must log in again, not retry.
    grpc.StatusCode.UNAUTHENTICATED: errors.Unauthenticated,
}


def channel(target: str) -> grpc.aio.Channel:
    return grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS)


@contextmanager
def calling(service: str) -> Iterator[None]:
    """Turns a failed call to `service` into the domain error this service answers with."""
    try:
        yield
    except grpc.aio.AioRpcError as error:
        kind = _PASSED_ON.get(error.code())
        if kind is not None:
            raise kind(f"{service}: {error.details()}") from None
        raise errors.Unavailable(
            f"the {service} service could not answer ({error.code().name}: {error.details()}); try again shortly"
        ) from None
