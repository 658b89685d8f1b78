"""A real Prometheus server (Debian's `prometheus`) for a test: loopback, a temporary directory, a short scrape interval."""

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.integration.servers import free_port

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"
SCRAPE_SECONDS = 1
START_TIMEOUT_SECONDS = 30


@dataclass
class Prometheus:
    process: subprocess.Popen
    address: str
    workdir: Path

    def api(self, path: str, **params: str) -> object:
        url = f"http://{self.address}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        reply = json.loads(urllib.request.urlopen(url, timeout=10).read())
        assert reply["status"] == "success", reply
        return reply["data"]

    def query(self, promql: str) -> list[dict]:
        return self.api("query", query=promql)["result"]

    def scalar(self, promql: str) -> float:
        """The value of a query that gives one series."""
        result = self.query(promql)
        assert len(result) == 1, f"{promql} gave {result}"
        return float(result[0]["value"][1])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_prometheus(workdir: Path, targets: list[str]) -> Prometheus:
    """Scrapes `targets` (HOST:PORT of /metrics) every second, with the project's alerting rules loaded."""
    shutil.copy(RULES, workdir / "alerts.yml")
    config = {
        "global": {"scrape_interval": f"{SCRAPE_SECONDS}s", "evaluation_interval": f"{SCRAPE_SECONDS}s"},
        "rule_files": ["alerts.yml"],
        "scrape_configs": [{"job_name": "chirp", "static_configs": [{"targets": targets}]}],
    }
    (workdir / "prometheus.yml").write_text(json.dumps(config))  # JSON is YAML
    address = f"127.0.0.1:{free_port()}"
    argv = ["prometheus", f"--config.file={workdir / 'prometheus.yml'}", f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address={address}"]  # fmt: skip
    with open(workdir / "prometheus.log", "w") as log:
        process = subprocess.Popen(argv, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    server = Prometheus(process, address, workdir)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            urllib.request.urlopen(f"http://{address}/-/ready", timeout=1)
            return server
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise AssertionError(f"Prometheus did not start:\n{(workdir / 'prometheus.log').read_text()}") from None
            time.sleep(0.1)
