"""gRPC service config: round-robin across a target's addresses, and retries for idempotent calls.

A target may name several replicas (`ipv4:127.0.0.1:50064,127.0.0.1:50065`);
gRPC's own round_robin policy spreads calls over every ready one.

Only calls that can safely run twice are retried, and only on
UNAVAILABLE: reads, follows, likes and their undos. Posting, retweeting
and deleting are not retried, since a retry could act twice or report
NOT_FOUND for work that was done.
"""

import json

from services.registry import SERVICES

IDEMPOTENT_PREFIXES = ("Get", "List", "BatchGet", "BatchList", "Check", "Decode", "Search")
IDEMPOTENT_WRITES = {"FollowUser", "UnfollowUser", "LikeTweet", "UnlikeTweet"}

RETRY_POLICY = {
    "maxAttempts": 4,
    "initialBackoff": "0.05s",
    "maxBackoff": "1s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}


def is_idempotent(method_name: str) -> bool:
    return method_name.startswith(IDEMPOTENT_PREFIXES) or method_name in IDEMPOTENT_WRITES


def service_config(services) -> str:
    """services: the generated file descriptors' ServiceDescriptors."""
    names = [
        {"service": service.full_name, "method": method.name}
        for service in services
        for method in service.methods
        if is_idempotent(method.name)
    ]
    return json.dumps(
        {"loadBalancingConfig": [{"round_robin": {}}], "methodConfig": [{"name": names, "retryPolicy": RETRY_POLICY}]}
    )


CHANNEL_OPTIONS = [("grpc.enable_retries", 1), ("grpc.service_config", service_config([e.contract for e in SERVICES]))]
