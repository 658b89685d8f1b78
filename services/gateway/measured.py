"""The gateway's requests, counted and timed for Prometheus: a wrapper around the ASGI application.

Labels stay bounded: the route's template (`/v1/users/{user_id}`, never the
path with its ids), the HTTP method and the status class (2xx, 4xx, 5xx).
A path no rule matches is `unmatched`. The route is the template the
gateway left in the scope when it routed the request (app.ROUTE): routing
again here cost a few percent of the gateway's time on a home read.
"""

import time

from services.common.telemetry.metrics import http_served
from services.gateway.app import OPENAPI_PATH, ROUTE, Gateway

UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MeasuredGateway:
    def __init__(self, gateway: Gateway):
        self.gateway = gateway

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.gateway(scope, receive, send)
        started, status = time.perf_counter(), 500

        async def sending(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.gateway(scope, receive, sending)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "other"
            http_served(route_of(scope), method, status, time.perf_counter() - started)


def route_of(scope) -> str:
    route = scope.get(ROUTE)
    if route is not None:
        return route
    return OPENAPI_PATH if scope.get("raw_path", scope["path"].encode()) == OPENAPI_PATH.encode() else UNMATCHED
