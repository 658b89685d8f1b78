"""The gateway's requests, counted and timed for Prometheus: a wrapper around the ASGI application.

Labels stay bounded: the route's template (`/v1/users/{user_id}`, never the
path with its ids), the HTTP method and the status class (2xx, 4xx, 5xx).
A path no rule matches is `unmatched`. The route is found again after the
answer is sent, off the response's path, so the gateway itself is unchanged.
"""

import time

from services.common.telemetry.metrics import http_served
from services.gateway.app import OPENAPI_PATH, Gateway
from services.gateway.errors import HttpFailure

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
            http_served(self.route_of(scope), method, status, time.perf_counter() - started)

    def route_of(self, scope) -> str:
        path = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        if path == OPENAPI_PATH:
            return OPENAPI_PATH
        try:
            binding, _ = self.gateway.router.route(scope["method"], path)
        except HttpFailure:
            return UNMATCHED
        return binding.template.source
