"""Every REST binding of the registry's services, and the channels that reach them."""

import grpc

from services.common.rpc.remote import channel
from services.gateway.rules import Binding, bindings_of
from services.registry import SERVICES


def all_bindings() -> list[Binding]:
    return [binding for entry in SERVICES for binding in bindings_of(entry.name, entry.contract)]


def reached_services() -> tuple[str, ...]:
    """The services with at least one REST binding: the gateway's CHIRP_<NAME>_TARGETs."""
    return tuple(dict.fromkeys(binding.service for binding in all_bindings()))


def open_channels(targets: dict[str, str]) -> dict[str, grpc.aio.Channel]:
    """One channel per service, with the mesh's service config (round robin, retries of idempotent calls)."""
    return {name: channel(targets[name]) for name in reached_services()}
