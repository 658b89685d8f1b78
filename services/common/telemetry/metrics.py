"""Every Prometheus metric of the mesh, named once, and the `/metrics` endpoint each process serves.

Labels stay bounded: a service, method, status code, cache, queue or
action, never a user or tweet id. Counters end in `_total`, durations are
histograms in seconds. The code that does the work calls the small
functions below, so no other module names a metric.
"""

import functools
import logging
import time

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics, start_http_server

from services.common.kernel.ids import timestamp_ms

log = logging.getLogger("chirp.metrics")
METRICS_PORT_OFFSET = 1000  # by default /metrics listens at the process's own port + 1000

disable_created_metrics()  # no `_created` series beside every counter and histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)
LAG_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

RPC_HANDLED = Counter("chirp_rpc_server_handled_total", "RPCs completed on the server, by status code", ["service", "method", "code"])
RPC_SECONDS = Histogram("chirp_rpc_server_handling_seconds", "Time to handle an RPC on the server", ["service", "method"],
                        buckets=LATENCY_BUCKETS)  # fmt: skip
FANOUT_LAG = Histogram("chirp_fanout_lag_seconds", "From a tweet's id time to its id written into followers' timelines",
                       buckets=LAG_BUCKETS)  # fmt: skip
QUEUE_DEPTH = Gauge("chirp_queue_depth", "Events or jobs waiting for a consumer (RabbitMQ queue or outbox offset)", ["queue"])
QUEUE_OLDEST = Gauge("chirp_queue_oldest_pending_seconds", "Age of the oldest waiting event (outbox queues only; 0 on RabbitMQ)", ["queue"])
QUEUE_DEAD = Gauge("chirp_queue_dead_letters", "Messages set aside as dead letters, waiting for an operator", ["queue"])
DEAD_LETTERED = Counter("chirp_dead_letters_total", "Events this process set aside as dead letters", ["consumer"])
OUTBOX_BACKLOG = Gauge("chirp_outbox_backlog_events", "Events committed to this process's outboxes and not yet published to RabbitMQ")
CACHE_LOOKUPS = Counter("chirp_cache_lookups_total", "Cache lookups by cache and result (hit or miss)", ["cache", "result"])
REBUILDS = Counter("chirp_timeline_rebuilds_total", "Home timelines rebuilt from storage after a cache miss")
SEARCH_INDEX_LAG = Histogram("chirp_search_index_lag_seconds", "From a tweet's id time to its text committed to the search index",
                             buckets=LAG_BUCKETS)  # fmt: skip
TREND_REFRESH = Histogram("chirp_trending_refresh_seconds", "Time to compute and publish every wanted trending window",
                          buckets=LATENCY_BUCKETS)  # fmt: skip
HTTP_SERVED = Counter("chirp_http_server_requests_total", "REST requests answered by the gateway, by route template and status class",
                      ["route", "method", "status"])  # fmt: skip
HTTP_SECONDS = Histogram("chirp_http_server_request_seconds", "Time to answer a REST request in the gateway", ["route", "method"],
                         buckets=LATENCY_BUCKETS)  # fmt: skip
RATE_LIMITED = Counter("chirp_rate_limit_rejections_total", "Requests refused by a rate limit", ["action"])


def since_id_time(tweet_id: int) -> float:
    """Seconds from the time a Snowflake id carries to now (never negative)."""
    return max(0.0, time.time() - timestamp_ms(tweet_id) / 1000)


def delivered(tweet_id: int) -> None:
    FANOUT_LAG.observe(since_id_time(tweet_id))


def indexed(tweet_ids: list[int]) -> None:
    for tweet_id in tweet_ids:
        SEARCH_INDEX_LAG.observe(since_id_time(tweet_id))


@functools.cache
def _lookups(cache: str, result: str) -> Counter:
    return CACHE_LOOKUPS.labels(cache, result)  # each child once: labels() takes a lock and builds a key


def looked_up(cache: str, hits: int, misses: int = 0) -> None:
    if hits:
        _lookups(cache, "hit").inc(hits)
    if misses:
        _lookups(cache, "miss").inc(misses)


def rebuilt() -> None:
    REBUILDS.inc()


def dead_lettered(consumer: str) -> None:
    DEAD_LETTERED.labels(consumer).inc()


def rate_limited(action: str) -> None:
    RATE_LIMITED.labels(action).inc()


@functools.cache
def _http(route: str, method: str, status_class: str) -> tuple[Counter, Histogram]:
    return HTTP_SERVED.labels(route, method, status_class), HTTP_SECONDS.labels(route, method)


def http_served(route: str, method: str, status: int, seconds: float) -> None:
    """One REST request: `route` is its template (bounded), `status` the HTTP status, counted by class (2xx, 4xx, 5xx)."""
    served, timed = _http(route, method, f"{status // 100}xx")
    served.inc()
    timed.observe(seconds)


def serve_metrics(host: str, port: int) -> int:
    """Serves /metrics on a thread of its own; the port it listens on (port 0 picks a free one)."""
    server, _ = start_http_server(port, addr=host)
    return server.server_port


def start_metrics_server(setting: str, host: str, own_port: int) -> str | None:
    """Serves /metrics at CHIRP_METRICS_LISTEN (`setting`: HOST:PORT, "off" or ""), by default on `host` at the
    process's own port + 1000, or on a free port when that one is taken; its address, or None when off."""
    if setting == "off":
        return None
    if setting:
        at, _, port = setting.rpartition(":")
        return f"{at}:{serve_metrics(at, int(port))}"
    try:
        return f"{host}:{serve_metrics(host, own_port + METRICS_PORT_OFFSET)}"
    except OSError:
        log.warning("metrics port %s is taken; serving /metrics on a free port", own_port + METRICS_PORT_OFFSET)
        return f"{host}:{serve_metrics(host, 0)}"
