"""The gateway as an importable ASGI application, for servers started by their own command line
(bench/gateway_servers.py compares them). Built on the first event, inside the server's loop, from
CHIRP_<NAME>_TARGET (every service at one address when only CHIRP_TARGET is set)."""

import os

from services.gateway.catalog import reached_services
from services.gateway.edge import build_gateway

_built = None


async def app(scope, receive, send):
    global _built
    if _built is None:
        single = os.environ.get("CHIRP_TARGET", "")
        targets = {name: os.environ.get(f"CHIRP_{name.upper()}_TARGET", single) for name in reached_services()}
        _built, _ = build_gateway(targets)
    await _built(scope, receive, send)
