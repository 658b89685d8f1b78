"""The alerting rules and the example Prometheus configuration, checked by the real promtool (Debian's `prometheus`)."""

import subprocess
from pathlib import Path

import pytest

PROMETHEUS_DIR = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def promtool(*argv: str) -> str:
    done = subprocess.run(["promtool", *argv], cwd=PROMETHEUS_DIR, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_rules_are_valid():
    assert "SUCCESS" in promtool("check", "rules", "alerts.yml")


def test_each_alert_fires_on_what_should_page_and_only_then():
    assert "SUCCESS" in promtool("test", "rules", "alerts_test.yml")


@pytest.mark.parametrize("alert", ["ChirpFanoutLagHigh", "ChirpHomeTimelineSlow", "ChirpCacheHitRateLow", "ChirpErrorRateHigh",
                                   "ChirpReplicationLagHigh", "ChirpDeadLetters"])  # fmt: skip
def test_every_alert_has_a_unit_test(alert):
    assert f"alertname: {alert}" in (PROMETHEUS_DIR / "alerts_test.yml").read_text()


def test_the_example_configuration_is_valid():
    assert "SUCCESS" in promtool("check", "config", "prometheus.yml")
