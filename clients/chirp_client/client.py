"""Typed clients for the Chirp mesh, async (grpc.aio) and sync.

Every call gets a deadline (the client's default unless the call sets
one) and the acting user's access token, from the client's credentials:
a session (`login`, refreshed before it expires) or minted tokens for the
user `acting_as` names (tools holding the key). Idempotent calls are
retried by gRPC on UNAVAILABLE.

    async with AsyncChirpClient("127.0.0.1:50051") as chirp:
        await chirp.login("alice", password)
        page = await chirp.timeline.ListHomeTimeline(ListHomeTimelineRequest())
"""

from collections import namedtuple

import grpc

from chirp.account.v1 import account_service_pb2 as account_pb
from chirp_client.credentials import Session, SessionTokens
from chirp_client.metadata import WITHOUT_ACCESS_TOKEN, Credentials, call_metadata
from chirp_client.stubs import CHANNEL_OPTIONS, Stubs, parse_targets

DEFAULT_TARGET = "127.0.0.1:50051"
DEFAULT_TIMEOUT_SECONDS = 5.0


class _AsyncDefaultsChannel:
    """A grpc.aio channel as the generated stubs see it: each unary method's calls get the defaults
    (deadline, access token) passed straight to the call. A client interceptor would do the same at the
    cost of a task and a wrapped call object per call."""

    def __init__(self, channel: grpc.aio.Channel, client: "AsyncChirpClient", user_id: int | None, timeout: float):
        self._channel, self.client, self.user_id, self.timeout = channel, client, user_id, timeout

    def unary_unary(self, method: str, *args, **kwargs) -> "_AsyncCallWithDefaults":
        return _AsyncCallWithDefaults(self._channel.unary_unary(method, *args, **kwargs), _method(method), self)

    async def close(self, grace: float | None = None) -> None:
        await self._channel.close(grace)


class _AsyncCallWithDefaults:
    def __init__(self, call: grpc.aio.UnaryUnaryMultiCallable, method: str, defaults: _AsyncDefaultsChannel):
        self._call, self._method, self._defaults = call, method, defaults

    def __call__(self, request, *, timeout: float | None = None, metadata=None, **kwargs):
        """The call (awaitable); a session's stale token is refreshed first, so the call is then a coroutine."""
        credentials = self._defaults.client.credentials
        if credentials is not None and credentials.stale() and self._method not in WITHOUT_ACCESS_TOKEN:
            return self._after_refresh(request, timeout, metadata, kwargs)
        return self._now(request, timeout, metadata, kwargs)

    async def _after_refresh(self, request, timeout: float | None, metadata, kwargs: dict):
        await self._defaults.client.refresh()
        return await self._now(request, timeout, metadata, kwargs)

    def _now(self, request, timeout: float | None, metadata, kwargs: dict):
        defaults = self._defaults
        return self._call(request, timeout=defaults.timeout if timeout is None else timeout,
                          metadata=call_metadata(defaults.client.credentials, defaults.user_id, metadata, self._method), **kwargs)  # fmt: skip


class _SyncDetails(
    namedtuple("_SyncDetails", "method timeout metadata credentials wait_for_ready compression"), grpc.ClientCallDetails
):
    pass


class _SyncCallDefaults(grpc.UnaryUnaryClientInterceptor):
    def __init__(self, client: "ChirpClient", user_id: int | None, timeout: float):
        self._client, self._user_id, self._timeout = client, user_id, timeout

    def intercept_unary_unary(self, continuation, details, request):
        credentials = self._client.credentials
        if credentials is not None and credentials.stale() and _method(details.method) not in WITHOUT_ACCESS_TOKEN:
            self._client.refresh()
        details = _SyncDetails(
            details.method,
            details.timeout if details.timeout is not None else self._timeout,
            call_metadata(self._client.credentials, self._user_id, details.metadata, _method(details.method)),
            details.credentials,
            details.wait_for_ready,
            details.compression,
        )
        return continuation(details, request)


class AsyncChirpClient(Stubs):
    """target: one address for every service, or one per service (see stubs.parse_targets);
    credentials: a session's tokens, or minted ones; user_id: whom minted tokens act for outside `acting_as`."""

    def __init__(
        self, target: str = DEFAULT_TARGET, user_id: int | None = None, timeout: float = DEFAULT_TIMEOUT_SECONDS,
        credentials: Credentials | None = None,
    ):  # fmt: skip
        self.credentials = credentials
        self._channels = _shared(
            parse_targets(target), lambda t: _AsyncDefaultsChannel(grpc.aio.insecure_channel(t, options=CHANNEL_OPTIONS), self, user_id, timeout)
        )
        super().__init__(self._channels)

    async def login(self, handle: str, password: str) -> Session:
        """Logs in; later calls act for this user, refreshing the token as it nears its end."""
        response = await self.account.CreateSession(account_pb.CreateSessionRequest(handle=handle, password=password))
        self.credentials = SessionTokens(Session.of(response.session))
        return self.credentials.session

    async def refresh(self) -> None:
        request = account_pb.RefreshSessionRequest(refresh_token=self.credentials.session.refresh_token)
        self.credentials.renew((await self.account.RefreshSession(request)).session)

    async def close(self) -> None:
        for channel in set(self._channels.values()):
            await channel.close()

    async def __aenter__(self) -> "AsyncChirpClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()


class ChirpClient(Stubs):
    """The synchronous twin of AsyncChirpClient."""

    def __init__(
        self, target: str = DEFAULT_TARGET, user_id: int | None = None, timeout: float = DEFAULT_TIMEOUT_SECONDS,
        credentials: Credentials | None = None,
    ):  # fmt: skip
        self.credentials = credentials
        self._raw_channels = _shared(parse_targets(target), lambda t: grpc.insecure_channel(t, options=CHANNEL_OPTIONS))
        defaults = _SyncCallDefaults(self, user_id, timeout)
        super().__init__({key: grpc.intercept_channel(raw, defaults) for key, raw in self._raw_channels.items()})

    def login(self, handle: str, password: str, on_change=None) -> Session:
        """Logs in; later calls act for this user. on_change(session) hears of every new pair of tokens."""
        response = self.account.CreateSession(account_pb.CreateSessionRequest(handle=handle, password=password))
        self.credentials = SessionTokens(Session.of(response.session), on_change)
        if on_change is not None:
            on_change(self.credentials.session)
        return self.credentials.session

    def refresh(self) -> None:
        request = account_pb.RefreshSessionRequest(refresh_token=self.credentials.session.refresh_token)
        self.credentials.renew(self.account.RefreshSession(request).session)

    def close(self) -> None:
        for channel in set(self._raw_channels.values()):
            channel.close()

    def __enter__(self) -> "ChirpClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _method(method: str | bytes) -> str:
    return method.decode() if isinstance(method, bytes) else method


def _shared(targets: dict[str, str], open_channel):
    """One channel per distinct address, shared by the services found there."""
    channels = {address: open_channel(address) for address in set(targets.values())}
    return {key: channels[address] for key, address in targets.items()}
