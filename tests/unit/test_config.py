import pytest

from services.common.runtime.config import Settings
from services.common.runtime.env import ConfigError


def test_defaults_need_no_environment(monkeypatch):
    for name in ("CHIRP_LISTEN", "CHIRP_LOG_LEVEL", "CHIRP_REDIS_URL", "CHIRP_WORKER_ID"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert (settings.listen, settings.log_level, settings.redis_url) == ("127.0.0.1:50051", "INFO", "")
    assert len(settings.page_token_secret) == 32


@pytest.mark.parametrize(
    "name, value, fragment",
    [
        ("CHIRP_LOG_LEVEL", "loud", "CHIRP_LOG_LEVEL='LOUD' is not one of"),
        ("CHIRP_LISTEN", "nonsense", "CHIRP_LISTEN='nonsense' is not HOST:PORT"),
        ("CHIRP_LISTEN", "127.0.0.1:99999", "port from 0 to 65535"),
        ("CHIRP_WORKER_ID", "1024", "CHIRP_WORKER_ID=1024 is outside 0..1023"),
        ("CHIRP_CELEBRITY_THRESHOLD", "many", "is not a whole number"),
        ("CHIRP_REDIS_CLUSTER", "maybe", "is not true or false"),
        ("CHIRP_REDIS_REPLICA_ACKS", "maybe", "is not true or false"),
        ("CHIRP_REDIS_REPLICA_ACK_TIMEOUT_MS", "2000", "is outside 1..1500"),
        ("CHIRP_RETRY_OUTAGE_SECONDS", "-1", "CHIRP_RETRY_OUTAGE_SECONDS=-1 is outside 0..3600"),
        ("CHIRP_RABBITMQ_QUEUE_TYPE", "mirrored", "CHIRP_RABBITMQ_QUEUE_TYPE='MIRRORED' is not one of QUORUM, CLASSIC"),
        ("CHIRP_METRICS_LISTEN", "9464", "CHIRP_METRICS_LISTEN='9464' is not HOST:PORT"),
    ],
)
def test_a_malformed_setting_is_refused_naming_the_variable(monkeypatch, name, value, fragment):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(".", r"\.")):
        Settings.from_env()


def test_token_keys_and_trusted_proxies_come_from_the_environment(monkeypatch, tmp_path):
    from services.common.tokens.keys import SigningKey

    key, other = SigningKey.generate(), SigningKey.generate()
    (tmp_path / "signing.pem").write_bytes(key.pem())
    (tmp_path / "other.pem").write_bytes(other.public_pem())
    monkeypatch.setenv("CHIRP_JWT_PRIVATE_KEY", str(tmp_path / "signing.pem"))
    monkeypatch.setenv("CHIRP_JWT_PUBLIC_KEYS", other.public_pem().decode())
    monkeypatch.setenv("CHIRP_TRUSTED_PROXIES", "10.0.0.0/8, ::1")
    settings = Settings.from_env()
    assert SigningKey.from_pem(settings.jwt_private_key).public.kid == key.public.kid
    assert settings.jwt_public_keys == (other.public_pem().strip(),)
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "::1/128"]


@pytest.mark.parametrize(
    "name, value, fragment",
    [
        ("CHIRP_JWT_PRIVATE_KEY", "/no/such/key.pem", "CHIRP_JWT_PRIVATE_KEY"),
        ("CHIRP_TRUSTED_PROXIES", "not-an-address", "CHIRP_TRUSTED_PROXIES"),
        ("CHIRP_ACCESS_TOKEN_TTL_SECONDS", "5", "CHIRP_ACCESS_TOKEN_TTL_SECONDS"),
    ],
)
def test_a_malformed_token_setting_stops_the_start(monkeypatch, name, value, fragment):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=fragment):
        Settings.from_env()
@pytest.mark.parametrize("value, expected", [("", ""), ("off", "off"), ("OFF", "off"), ("0.0.0.0:9464", "0.0.0.0:9464")])
def test_the_metrics_address_is_the_default_off_or_host_and_port(monkeypatch, value, expected):
    monkeypatch.setenv("CHIRP_METRICS_LISTEN", value)
    assert Settings.from_env().metrics_listen == expected


def test_the_queue_type_is_quorum_unless_set_and_a_cluster_is_a_list_of_urls(monkeypatch):
    from services.common.messaging.rabbitmq.bus import broker_parameters

    monkeypatch.delenv("CHIRP_RABBITMQ_QUEUE_TYPE", raising=False)
    assert Settings.from_env().rabbitmq_queue_type == "quorum"
    monkeypatch.setenv("CHIRP_RABBITMQ_QUEUE_TYPE", "Classic")
    assert Settings.from_env().rabbitmq_queue_type == "classic"
    nodes = broker_parameters("amqp://guest:guest@10.0.0.1:5672/%2F, amqp://guest:guest@10.0.0.2:5673/%2F", "fanout")
    assert [(n.host, n.port, n.client_properties["connection_name"]) for n in nodes] == [("10.0.0.1", 5672, "fanout"), ("10.0.0.2", 5673, "fanout")]
    with pytest.raises(ValueError, match="CHIRP_RABBITMQ_URL"):
        broker_parameters(" , ", "fanout")
