"""Maps domain errors to gRPC statuses, once, for every service (served.py answers every failure with answer_failure).

An error naming a field carries a google.rpc.BadRequest detail (clients can
point at what to fix); one saying when to retry (a rate limit's
RESOURCE_EXHAUSTED) carries a google.rpc.RetryInfo detail. An outage of a backing server (what
runtime/outages.py counts as one) is UNAVAILABLE; a server that refuses the service's credentials is
INTERNAL, logged in full; an RPC the servicer does not implement (the generated base
class raises NotImplementedError) is UNIMPLEMENTED; any other unexpected
exception is logged and answered with INTERNAL. None takes the server down.
"""

import logging

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from services.common.kernel import errors
from services.common.runtime.outages import MISCONFIGURED, OUTAGES

log = logging.getLogger("chirp.rpc")

STATUS_OF = {
    errors.InvalidArgument: code_pb2.INVALID_ARGUMENT,
    errors.NotFound: code_pb2.NOT_FOUND,
    errors.AlreadyExists: code_pb2.ALREADY_EXISTS,
    errors.PermissionDenied: code_pb2.PERMISSION_DENIED,
    errors.Unauthenticated: code_pb2.UNAUTHENTICATED,
    errors.FailedPrecondition: code_pb2.FAILED_PRECONDITION,
    errors.ResourceExhausted: code_pb2.RESOURCE_EXHAUSTED,
    errors.Unavailable: code_pb2.UNAVAILABLE,
    errors.NotImplementedYet: code_pb2.UNIMPLEMENTED,
}


def to_status(error: errors.ChirpError) -> grpc.Status:
    status = status_pb2.Status(code=STATUS_OF[type(error)], message=error.message)
    if error.field is not None:
        violation = error_details_pb2.BadRequest.FieldViolation(field=error.field, description=error.message)
        _add_detail(status, error_details_pb2.BadRequest(field_violations=[violation]))
    if error.retry_after_ms is not None:
        retry = error_details_pb2.RetryInfo()
        retry.retry_delay.FromMilliseconds(error.retry_after_ms)
        _add_detail(status, retry)
    return rpc_status.to_status(status)


def _add_detail(status: status_pb2.Status, message) -> None:
    detail = any_pb2.Any()
    detail.Pack(message)
    status.details.append(detail)


async def answer_failure(error: Exception, method: str, context: grpc.aio.ServicerContext) -> None:
    """Aborts the call with the status `error` means (never returns): a ChirpError's own, else as the module says."""
    if isinstance(error, errors.ChirpError):
        status = to_status(error)
        await context.abort(status.code, status.details, status.trailing_metadata)
    if isinstance(error, MISCONFIGURED):
        log.error("%s: a backing server refused the service's credentials", method, exc_info=error)
        await context.abort(grpc.StatusCode.INTERNAL, f"{method} failed: the service is misconfigured; the server log has the details")
    if isinstance(error, OUTAGES):  # overload or an outage, not a bug: the caller may retry
        log.warning("%s: a backing server did not answer (%s: %s)", method, type(error).__name__, error)
        await context.abort(grpc.StatusCode.UNAVAILABLE, f"{method}: a backing server did not answer in time; retry shortly")
    if isinstance(error, NotImplementedError):  # the generated servicer's default: the contract names it, this server does not serve it
        log.warning("%s: called, but this server does not implement it", method)
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not implemented by this server")
    log.error("unexpected failure in %s", method, exc_info=error)
    await context.abort(grpc.StatusCode.INTERNAL, f"{method} failed unexpectedly; the server log has the details")
