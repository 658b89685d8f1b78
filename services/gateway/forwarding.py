"""The gRPC metadata a REST call carries: what the edge forwards, and nothing else.

- `authorization`: the HTTP Authorization header, unchanged (the services
  verify `Bearer <JWT>` themselves).
- `x-forwarded-for`: the incoming X-Forwarded-For with the client's address appended.

Every other header stays at the edge, `chirp-user-id` among them: an
identity is only what a token proves, and every service checks the token.
"""


def forwarded_metadata(headers: dict[str, str], client_host: str | None) -> tuple[tuple[str, str], ...]:
    """headers: lower-case names."""
    metadata = []
    authorization = headers.get("authorization")
    if authorization is not None:
        metadata.append(("authorization", authorization))
    chain = [part for part in (headers.get("x-forwarded-for"), client_host) if part]
    if chain:
        metadata.append(("x-forwarded-for", ", ".join(chain)))
    return tuple(metadata)
