"""What counts as an outage: a server that did not answer, or a Redis Cluster whose slots are moving (a failover).

The one rule, for every caller. An outage ends by itself: the gRPC interceptor answers UNAVAILABLE (the caller
may retry), a read path falls back to storage, and the event consumers keep retrying for the outage budget
(`RetryPolicy.outage_seconds`, longer than a failover). Any other error is a bad event or a bug, which retrying
does not mend: the consumers give up on it after a few attempts. A server that refuses the credentials is a
misconfiguration, not an outage, although redis-py raises it as a ConnectionError.
"""

from redis import exceptions as redis_errors

from services.common.kernel.errors import Unavailable
from services.common.messaging.rabbitmq.bridge import PublishError
from services.common.storage.postgres import UNREACHABLE as POSTGRES_UNREACHABLE

MISCONFIGURED = (redis_errors.AuthenticationError, redis_errors.AuthorizationError)
UNREACHABLE = (ConnectionError, TimeoutError, redis_errors.ConnectionError, redis_errors.TimeoutError, *POSTGRES_UNREACHABLE)
# Slots without a master, or moving: redis-py follows a move by itself, and raises these when the map did not settle
# within its retries (CLUSTERDOWN, TRYAGAIN, redirections beyond its limit, a write to a master demoted since).
CLUSTER_CHANGING = (redis_errors.ClusterError, redis_errors.TryAgainError, redis_errors.AskError, redis_errors.SlotNotCoveredError,
                    redis_errors.ReadOnlyError)
OUTAGES = (*UNREACHABLE, *CLUSTER_CHANGING, PublishError, Unavailable)  # PublishError: the broker did not confirm


def is_outage(error: BaseException) -> bool:
    return isinstance(error, OUTAGES) and not isinstance(error, MISCONFIGURED)
