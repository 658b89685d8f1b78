"""The REST gateway as its own process (`python -m services.gateway`, as `make mesh` starts it) serves /metrics: a real
Prometheus scrapes it and PromQL counts its requests by route template and status class, and times them."""

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.gateway.catalog import reached_services
from services.registry import entry
from tests.conftest import acting
from tests.e2e.mesh_process import REPO, MeshProcess, clean_env
from tests.e2e.prometheus import Prometheus, start_prometheus
from tests.integration.servers import free_port


def start_gateway(mesh: MeshProcess, log: Path) -> tuple[subprocess.Popen, str, str]:
    """The gateway in front of the mesh's process; the process, its URL, and the /metrics address it printed."""
    targets = {entry(name).target_variable: mesh.target for name in reached_services()}
    env = clean_env(CHIRP_GATEWAY_LISTEN=f"127.0.0.1:{free_port()}", **targets)
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "services.gateway"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while not (found := re.search(r"listening on (\S+) .*\n\s+metrics on http://([^/]+)/metrics", log.read_text())):
        assert process.poll() is None and time.monotonic() < deadline, f"the gateway did not start:\n{log.read_text()}"
        time.sleep(0.05)
    return process, found[1], found[2]


@pytest.fixture(scope="module")
def scraped(mesh, tmp_path_factory) -> Iterator[Prometheus]:
    workdir = tmp_path_factory.mktemp("gateway")
    gateway, url, metrics = start_gateway(mesh, workdir / "gateway.log")
    server = start_prometheus(workdir, [metrics])
    try:
        drive(url)
        deadline = time.monotonic() + 20
        while not server.query('sum(chirp_http_server_requests_total{status="4xx"}) == 2'):
            assert time.monotonic() < deadline, "Prometheus never scraped the gateway's requests"
            time.sleep(0.5)
        yield server
    finally:
        server.stop()
        gateway.send_signal(signal.SIGTERM)
        assert gateway.wait(10) == 0


def drive(url: str) -> None:
    """Three users made and read, one unknown user, one path no rule has."""
    for n in range(3):
        user_id = httpx.post(f"{url}/v1/accounts", json={"handle": f"gauged{n}", "password": f"gauged secret {n}"}).json()["userId"]
        assert httpx.get(f"{url}/v1/users/{user_id}", headers=acting(int(user_id))).status_code == 200
    assert httpx.get(f"{url}/v1/users/1").status_code == 404
    assert httpx.get(f"{url}/v1/nothing/here").status_code == 404


def by_route(prometheus: Prometheus, promql: str) -> dict[tuple[str, ...], float]:
    return {(r["metric"]["route"], r["metric"]["method"], r["metric"]["status"]): float(r["value"][1]) for r in prometheus.query(promql)}


def test_requests_are_counted_by_route_template_and_status_class(scraped):
    counts = by_route(scraped, "sum by (route, method, status) (chirp_http_server_requests_total)")
    assert counts == {("/v1/accounts", "POST", "2xx"): 3, ("/v1/users/{user_id}", "GET", "2xx"): 3,
                      ("/v1/users/{user_id}", "GET", "4xx"): 1, ("unmatched", "GET", "4xx"): 1}  # fmt: skip


def test_requests_are_timed_by_route(scraped):
    assert scraped.scalar('sum(chirp_http_server_request_seconds_count{route="/v1/users/{user_id}"})') == 4
    p99 = scraped.scalar('histogram_quantile(0.99, sum by (le) (chirp_http_server_request_seconds_bucket{route="/v1/accounts"}))')
    assert 0 < p99 < 1
