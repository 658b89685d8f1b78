import pytest

from services.common.runtime.config import ConfigError, Settings


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
        ("CHIRP_METRICS_LISTEN", "9464", "CHIRP_METRICS_LISTEN='9464' is not HOST:PORT"),
    ],
)
def test_a_malformed_setting_is_refused_naming_the_variable(monkeypatch, name, value, fragment):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(".", r"\.")):
        Settings.from_env()


@pytest.mark.parametrize("value, expected", [("", ""), ("off", "off"), ("OFF", "off"), ("0.0.0.0:9464", "0.0.0.0:9464")])
def test_the_metrics_address_is_the_default_off_or_host_and_port(monkeypatch, value, expected):
    monkeypatch.setenv("CHIRP_METRICS_LISTEN", value)
    assert Settings.from_env().metrics_listen == expected
