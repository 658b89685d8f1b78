"""PostgreSQL under Patroni on loopback: one etcd, a primary and a synchronous replica, in a temporary directory.

PostgreSQL won't run as root, so the servers run as the `postgres` user
(Debian's); the cluster's directory belongs to it. Every port is below the
ephemeral range. `stop()` kills every process it started and removes the
directory.
"""

import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.chaos.patroni_node import PatroniNode, start_patroni
from tests.integration.servers import free_port_range, wait_for_port

SCRIPT = Path(__file__).parents[2] / "scripts" / "ensure-patroni.sh"


@dataclass
class PatroniCluster:
    root: Path
    etcd_port: int
    nodes: list[PatroniNode] = field(default_factory=list)
    etcd: subprocess.Popen | None = None

    @property
    def dsn(self) -> str:
        """Every node, for libpq's rule: the first that takes writes (target_session_attrs=read-write)."""
        hosts = ",".join(f"127.0.0.1:{n.port}" for n in self.nodes)
        return f"postgresql://postgres:postgres@{hosts}/postgres?target_session_attrs=read-write"

    def dsn_for(self, database: str) -> str:
        return self.dsn.replace("/postgres?", f"/{database}?")

    def primary(self) -> PatroniNode | None:
        return next((n for n in self.nodes if n.role() == "primary"), None)

    def sync_standby(self) -> str | None:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.nodes[0].rest}/cluster", timeout=2) as response:
            members = json.load(response)["members"]
        return next((m["name"] for m in members if m["role"] == "sync_standby"), None)

    def wait_until(self, condition, timeout: float, what: str) -> float:
        started = time.monotonic()
        while not condition():
            if time.monotonic() - started > timeout:
                raise AssertionError(f"Patroni: {what} not reached after {timeout} s; logs:\n{self.logs()}")
            time.sleep(0.2)
        return time.monotonic() - started

    def logs(self) -> str:
        return "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.root.rglob("*.log")))

    def stop(self) -> None:
        for node in self.nodes:
            node.kill()
        if self.etcd and self.etcd.poll() is None:
            self.etcd.kill()
            self.etcd.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster(nodes: int = 2) -> PatroniCluster:
    """Installs Patroni and etcd if missing, then starts etcd and `nodes` Patroni nodes; returns once
    one is primary and another its synchronous standby."""
    subprocess.run(["bash", str(SCRIPT)], check=True, capture_output=True)
    postgres = pwd.getpwnam("postgres")
    root = Path(tempfile.mkdtemp(prefix="chirp-patroni-"))
    first = free_port_range(2 + 2 * nodes)
    cluster = PatroniCluster(root, first)
    try:
        cluster.etcd = _start_etcd(root, first)
        os.chown(root, postgres.pw_uid, postgres.pw_gid)
        for i in range(nodes):
            node = PatroniNode(f"pg{i}", first + 2 + 2 * i, first + 3 + 2 * i, root / f"pg{i}")
            cluster.nodes.append(node)
            start_patroni(node, first, postgres)
            if i == 0:
                cluster.wait_until(lambda: node.role() == "primary", 60, "a primary")
        cluster.wait_until(lambda: cluster.sync_standby() is not None, 90, "a synchronous standby")
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _start_etcd(root: Path, port: int) -> subprocess.Popen:
    log = (root / "etcd.log").open("wb")
    etcd = subprocess.Popen(
        ["etcd", "--name", "chirp-etcd", "--data-dir", str(root / "etcd"), "--enable-v2=true",
         "--listen-client-urls", f"http://127.0.0.1:{port}", "--advertise-client-urls", f"http://127.0.0.1:{port}",
         "--listen-peer-urls", f"http://127.0.0.1:{port + 1}", "--initial-advertise-peer-urls", f"http://127.0.0.1:{port + 1}",
         "--initial-cluster", f"chirp-etcd=http://127.0.0.1:{port + 1}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_for_port(port, 30)
    return etcd
