"""The address a call came from: the gRPC peer, or what a trusted proxy (the REST edge) says in `x-forwarded-for`.

The header is read from the right: each hop a trusted proxy added is
skipped, and the first address not trusted is the client's. A peer that is
not a trusted proxy can't name another address.
"""

import ipaddress
from collections.abc import Sequence

import grpc

FORWARDED_KEY = "x-forwarded-for"
DEFAULT_TRUSTED_PROXIES = ("127.0.0.1/32", "::1/128")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(raw: str) -> tuple[Network, ...]:
    """`CHIRP_TRUSTED_PROXIES`: comma-separated addresses or networks; `none` trusts no proxy."""
    if raw.strip().lower() == "none":
        return ()
    parts = [p.strip() for p in raw.split(",") if p.strip()] or list(DEFAULT_TRUSTED_PROXIES)
    return tuple(ipaddress.ip_network(part, strict=False) for part in parts)


def peer_address(peer: str) -> str:
    """'ipv4:127.0.0.1:5000' → '127.0.0.1'; 'ipv6:[::1]:5000' → '::1'; anything else as it is."""
    kind, _, rest = peer.partition(":")
    if kind == "ipv6":
        return rest.rsplit("]", 1)[0].lstrip("[")
    if kind == "ipv4":
        return rest.rsplit(":", 1)[0]
    return peer


def client_address(context: grpc.aio.ServicerContext, trusted: Sequence[Network]) -> str:
    address = peer_address(context.peer() or "")
    forwarded = [value for key, value in context.invocation_metadata() or () if key == FORWARDED_KEY]
    hops = [hop.strip() for value in forwarded for hop in value.split(",") if hop.strip()]
    while hops and _is_trusted(address, trusted):
        address = hops.pop()
    return address


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
