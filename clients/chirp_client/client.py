"""Typed clients for the Chirp mesh, async (grpc.aio) and sync.

Every call gets a deadline (the client's default unless the call sets
one) and the acting user's metadata (the client's user, or the one set
with `acting_as`). Idempotent calls are retried by gRPC on UNAVAILABLE.

    async with AsyncChirpClient("127.0.0.1:50051", user_id=42) as chirp:
        page = await chirp.timeline.ListHomeTimeline(ListHomeTimelineRequest())
"""

from collections import namedtuple

import grpc

from chirp_client.metadata import call_metadata
from chirp_client.stubs import CHANNEL_OPTIONS, Stubs, parse_targets

DEFAULT_TARGET = "127.0.0.1:50051"
DEFAULT_TIMEOUT_SECONDS = 5.0


class _AsyncCallDefaults(grpc.aio.UnaryUnaryClientInterceptor):
    def __init__(self, user_id: int | None, timeout: float):
        self._user_id, self._timeout = user_id, timeout

    async def intercept_unary_unary(self, continuation, details, request):
        details = grpc.aio.ClientCallDetails(
            details.method,
            details.timeout if details.timeout is not None else self._timeout,
            call_metadata(self._user_id, details.metadata),
            details.credentials,
            details.wait_for_ready,
        )
        return await continuation(details, request)


class _SyncDetails(
    namedtuple("_SyncDetails", "method timeout metadata credentials wait_for_ready compression"), grpc.ClientCallDetails
):
    pass


class _SyncCallDefaults(grpc.UnaryUnaryClientInterceptor):
    def __init__(self, user_id: int | None, timeout: float):
        self._user_id, self._timeout = user_id, timeout

    def intercept_unary_unary(self, continuation, details, request):
        details = _SyncDetails(
            details.method,
            details.timeout if details.timeout is not None else self._timeout,
            call_metadata(self._user_id, details.metadata),
            details.credentials,
            details.wait_for_ready,
            details.compression,
        )
        return continuation(details, request)


class AsyncChirpClient(Stubs):
    """target: one address for every service, or one per service (see stubs.parse_targets)."""

    def __init__(self, target: str = DEFAULT_TARGET, user_id: int | None = None, timeout: float = DEFAULT_TIMEOUT_SECONDS):
        interceptors = [_AsyncCallDefaults(user_id, timeout)]
        self._channels = _shared(
            parse_targets(target), lambda t: grpc.aio.insecure_channel(t, options=CHANNEL_OPTIONS, interceptors=interceptors)
        )
        super().__init__(self._channels)

    async def close(self) -> None:
        for channel in set(self._channels.values()):
            await channel.close()

    async def __aenter__(self) -> "AsyncChirpClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()


class ChirpClient(Stubs):
    """target: one address for every service, or one per service (see stubs.parse_targets)."""

    def __init__(self, target: str = DEFAULT_TARGET, user_id: int | None = None, timeout: float = DEFAULT_TIMEOUT_SECONDS):
        self._raw_channels = _shared(parse_targets(target), lambda t: grpc.insecure_channel(t, options=CHANNEL_OPTIONS))
        defaults = _SyncCallDefaults(user_id, timeout)
        super().__init__({key: grpc.intercept_channel(raw, defaults) for key, raw in self._raw_channels.items()})

    def close(self) -> None:
        for channel in set(self._raw_channels.values()):
            channel.close()

    def __enter__(self) -> "ChirpClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _shared(targets: dict[str, str], open_channel):
    """One channel per distinct address, shared by the services found there."""
    channels = {address: open_channel(address) for address in set(targets.values())}
    return {key: channels[address] for key, address in targets.items()}
