"""Configuration from environment variables, with safe local defaults."""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from services.common.limits.rates import DEFAULT_RATES, Rate
from services.common.rpc.client_address import DEFAULT_TRUSTED_PROXIES, Network, parse_networks
from services.common.runtime.env import env_address, env_bool, env_choice, env_int, env_key_texts, env_metrics_listen, env_networks, env_rates, env_str
from services.registry import BUILT, SERVICES

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    """Every knob of the embedded mesh; README's configuration table lists them."""

    listen: str = "127.0.0.1:50051"
    data_dir: Path = Path("data")
    worker_id: int = 0
    celebrity_threshold: int = 10_000
    timeline_length: int = 800
    fanout_batch_size: int = 1_000
    page_token_secret: bytes = b""
    shutdown_grace_seconds: int = 5
    log_level: str = "INFO"
    redis_url: str = ""
    redis_cluster: bool = False
    redis_replica_acks: bool = False  # on a Redis Cluster, timeline writes wait for a replica of each master (that has one); opt-in: see docs
    redis_replica_ack_timeout_ms: int = 500
    timeline_ttl_seconds: int = 7 * 24 * 3600
    hydration_ttl_seconds: int = 3600
    suggestion_max_age_seconds: int = 900
    database_url: str = ""
    database_read_url: str = ""  # a streaming replica for reads that may be stale; empty: the primary serves every read
    database_pool_size: int = 10
    rabbitmq_url: str = ""  # one broker, or a cluster's nodes separated by commas
    rabbitmq_queue_type: str = "quorum"  # or "classic", for queues declared classic before
    bus_namespace: str = "chirp"
    fanout_prefetch: int = 8
    relay_linger_ms: int = 30  # a relay woken on a drained outbox waits this long, so a busy outbox goes out in fuller batches
    relay_batch_events: int = 50  # events of one routing key a message at most; 1 while consumers older than batches run
    retry_attempts: int = 5  # an event or chunk whose handler keeps failing is dead-lettered after this many attempts...
    retry_outage_seconds: int = 20  # ...or, when it fails for an outage (a failover), once its retries waited this long
    health_check_interval_ms: int = 1000
    service: str = ""
    targets: dict[str, str] = field(default_factory=dict)  # by service name, from CHIRP_<NAME>_TARGET
    trace_console: bool = False
    metrics_listen: str = ""  # HOST:PORT of /metrics; "" for the gRPC port + 1000, "off" for none
    lease_seconds: int = 5  # how long a relay's or a Snowflake worker id's lease lasts unrenewed
    replica: int = 0  # which replica of its service this process is (the launcher numbers them from 0)
    search_index_dir: Path | None = None
    search_commit_ms: int = 200
    search_prefetch: int = 2_000
    trending_refresh_seconds: int = 30
    notification_window_seconds: int = 3600  # notifications of one kind on one target group within this window
    rate_limits: dict[str, Rate] = field(default_factory=lambda: dict(DEFAULT_RATES))  # by action; none when switched off
    jwt_private_key: bytes = b""  # PEM; the whole mesh in one process makes one at start when it is empty
    jwt_public_keys: tuple[bytes, ...] = ()  # PEM or JWKS texts: every key whose tokens are accepted
    service_key: bytes = b""  # PEM; internal services sign their own tokens with it (Graph's ListHiddenIds takes them)
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    trusted_proxies: tuple[Network, ...] = field(default_factory=lambda: parse_networks(",".join(DEFAULT_TRUSTED_PROXIES)))
    gateway_listen: str = "127.0.0.1:8080"  # the REST gateway's HTTP address (port 0: any free one)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "chirp.db"

    @property
    def search_index_path(self) -> Path:
        """Each Search replica its own directory (one writer each), under CHIRP_SEARCH_INDEX_DIR when it is set
        (the launcher gives every replica the same environment); the whole mesh in one process has one."""
        if self.search_index_dir is None:
            return self.data_dir / (f"search-index-replica-{self.replica}" if self.service == "search" else "search-index")
        return self.search_index_dir / f"replica-{self.replica}" if self.service == "search" else self.search_index_dir

    @classmethod
    def from_env(cls) -> "Settings":
        secret = os.environ.get("CHIRP_PAGE_TOKEN_SECRET", "")
        return cls(
            listen=env_address("CHIRP_LISTEN", cls.listen),
            data_dir=Path(env_str("CHIRP_DATA_DIR", str(cls.data_dir))),
            worker_id=env_int("CHIRP_WORKER_ID", cls.worker_id, 0, 1023),
            celebrity_threshold=env_int("CHIRP_CELEBRITY_THRESHOLD", cls.celebrity_threshold, 1),
            timeline_length=env_int("CHIRP_TIMELINE_LENGTH", cls.timeline_length, 1, 100_000),
            fanout_batch_size=env_int("CHIRP_FANOUT_BATCH_SIZE", cls.fanout_batch_size, 1, 100_000),
            page_token_secret=secret.encode() or secrets.token_bytes(32),
            shutdown_grace_seconds=env_int("CHIRP_SHUTDOWN_GRACE_SECONDS", cls.shutdown_grace_seconds, 0, 600),
            log_level=env_choice("CHIRP_LOG_LEVEL", cls.log_level, LOG_LEVELS),
            redis_url=env_str("CHIRP_REDIS_URL", cls.redis_url),
            redis_cluster=env_bool("CHIRP_REDIS_CLUSTER", cls.redis_cluster),
            redis_replica_acks=env_bool("CHIRP_REDIS_REPLICA_ACKS", cls.redis_replica_acks),
            redis_replica_ack_timeout_ms=env_int("CHIRP_REDIS_REPLICA_ACK_TIMEOUT_MS", cls.redis_replica_ack_timeout_ms, 1, 1500),
            timeline_ttl_seconds=env_int("CHIRP_TIMELINE_TTL_SECONDS", cls.timeline_ttl_seconds, 60),
            hydration_ttl_seconds=env_int("CHIRP_HYDRATION_TTL_SECONDS", cls.hydration_ttl_seconds, 1),
            suggestion_max_age_seconds=env_int("CHIRP_SUGGESTION_MAX_AGE_SECONDS", cls.suggestion_max_age_seconds, 1, 86_400),
            database_url=env_str("CHIRP_DATABASE_URL", cls.database_url),
            database_read_url=env_str("CHIRP_DATABASE_READ_URL", cls.database_read_url),
            database_pool_size=env_int("CHIRP_DATABASE_POOL_SIZE", cls.database_pool_size, 1, 1000),
            rabbitmq_url=env_str("CHIRP_RABBITMQ_URL", cls.rabbitmq_url),
            rabbitmq_queue_type=env_choice("CHIRP_RABBITMQ_QUEUE_TYPE", cls.rabbitmq_queue_type, ("QUORUM", "CLASSIC")).lower(),
            bus_namespace=env_str("CHIRP_BUS_NAMESPACE", cls.bus_namespace),
            fanout_prefetch=env_int("CHIRP_FANOUT_PREFETCH", cls.fanout_prefetch, 1, 1000),
            relay_linger_ms=env_int("CHIRP_RELAY_LINGER_MS", cls.relay_linger_ms, 0, 1000),
            relay_batch_events=env_int("CHIRP_RELAY_BATCH_EVENTS", cls.relay_batch_events, 1, 1000),
            retry_attempts=env_int("CHIRP_RETRY_ATTEMPTS", cls.retry_attempts, 1, 100),
            retry_outage_seconds=env_int("CHIRP_RETRY_OUTAGE_SECONDS", cls.retry_outage_seconds, 0, 3600),
            health_check_interval_ms=env_int("CHIRP_HEALTH_CHECK_INTERVAL_MS", cls.health_check_interval_ms, 50, 60_000),
            service=env_choice("CHIRP_SERVICE", "", ("", *(e.name.upper() for e in BUILT))).lower(),
            targets={e.name: os.environ[e.target_variable] for e in SERVICES if os.environ.get(e.target_variable)},
            trace_console=env_bool("CHIRP_TRACE_CONSOLE", cls.trace_console),
            metrics_listen=env_metrics_listen("CHIRP_METRICS_LISTEN"),
            lease_seconds=env_int("CHIRP_LEASE_SECONDS", cls.lease_seconds, 1, 600),
            replica=env_int("CHIRP_REPLICA", cls.replica, 0, 1023),
            search_index_dir=Path(os.environ["CHIRP_SEARCH_INDEX_DIR"]) if os.environ.get("CHIRP_SEARCH_INDEX_DIR") else None,
            search_commit_ms=env_int("CHIRP_SEARCH_COMMIT_MS", cls.search_commit_ms, 1, 10_000),
            search_prefetch=env_int("CHIRP_SEARCH_PREFETCH", cls.search_prefetch, 1, 65_535),
            trending_refresh_seconds=env_int("CHIRP_TRENDING_REFRESH_SECONDS", cls.trending_refresh_seconds, 1, 60),
            notification_window_seconds=env_int("CHIRP_NOTIFICATION_WINDOW_SECONDS", cls.notification_window_seconds, 1, 7 * 86_400),
            rate_limits=env_rates("CHIRP_RATE_LIMITS"),
            jwt_private_key=b"".join(env_key_texts("CHIRP_JWT_PRIVATE_KEY")),
            jwt_public_keys=env_key_texts("CHIRP_JWT_PUBLIC_KEYS"),
            service_key=b"".join(env_key_texts("CHIRP_SERVICE_KEY")),
            access_token_ttl_seconds=env_int("CHIRP_ACCESS_TOKEN_TTL_SECONDS", cls.access_token_ttl_seconds, 60, 86_400),
            refresh_token_ttl_seconds=env_int("CHIRP_REFRESH_TOKEN_TTL_SECONDS", cls.refresh_token_ttl_seconds, 60, 365 * 86_400),
            trusted_proxies=env_networks("CHIRP_TRUSTED_PROXIES"),
            gateway_listen=env_address("CHIRP_GATEWAY_LISTEN", cls.gateway_listen),
        )
