"""The gRPC metadata a REST call carries: what the edge forwards, and nothing else.

- `authorization`: the HTTP Authorization header, unchanged (the services
  verify `Bearer <JWT>` themselves).
- `x-forwarded-for`: the incoming X-Forwarded-For with the client's address appended.

Every other header stays at the edge, `chirp-user-id` above all: an
identity a client sends is never trusted. Until the accounts work lands,
the services still read `chirp-user-id`; a gateway started with an
InterimIdentity (tests and the benchmark only, CHIRP_GATEWAY_INTERIM_IDENTITY)
sets it from `Authorization: Bearer interim-user-<id>`.
"""

from dataclasses import dataclass

from services.common.rpc.auth import USER_METADATA_KEY

INTERIM_TOKEN_PREFIX = "Bearer interim-user-"


@dataclass(frozen=True)
class InterimIdentity:
    """Maps an interim bearer token to the `chirp-user-id` the services read today. Remove with accounts."""

    def metadata(self, authorization: str | None) -> tuple[tuple[str, str], ...]:
        if authorization and authorization.startswith(INTERIM_TOKEN_PREFIX):
            return ((USER_METADATA_KEY, authorization.removeprefix(INTERIM_TOKEN_PREFIX)),)
        return ()


def forwarded_metadata(headers: dict[str, str], client_host: str | None, interim: InterimIdentity | None) -> tuple[tuple[str, str], ...]:
    """headers: lower-case names."""
    metadata = []
    authorization = headers.get("authorization")
    if authorization is not None:
        metadata.append(("authorization", authorization))
    chain = [part for part in (headers.get("x-forwarded-for"), client_host) if part]
    if chain:
        metadata.append(("x-forwarded-for", ", ".join(chain)))
    if interim is not None:
        metadata.extend(interim.metadata(authorization))
    return tuple(metadata)
