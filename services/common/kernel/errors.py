"""Domain errors. Entry points map each kind to one gRPC status code."""


class ChirpError(Exception):
    """A request that can't be served; the message says what to change.

    `field` names the request field at fault; `retry_after_ms` says when the same call may succeed."""

    def __init__(self, message: str, field: str | None = None, retry_after_ms: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.retry_after_ms = retry_after_ms


class InvalidArgument(ChirpError):
    pass


class NotFound(ChirpError):
    pass


class AlreadyExists(ChirpError):
    pass


class PermissionDenied(ChirpError):
    pass


class Unauthenticated(ChirpError):
    pass


class FailedPrecondition(ChirpError):
    """The system is not in a state the call needs (a follow across a block); changing that state first helps."""


class ResourceExhausted(ChirpError):
    pass


class Unavailable(ChirpError):
    pass


class NotImplementedYet(ChirpError):
    pass
