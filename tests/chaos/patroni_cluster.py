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
import signal
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.integration.servers import free_port_range, wait_for_port

SCRIPT = Path(__file__).parents[2] / "scripts" / "ensure-patroni.sh"
SCOPE = "chirp"
BIN_DIR = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1] if Path("/usr/lib/postgresql").exists() else Path("/usr/bin")

NODE_CONFIG = """
scope: {scope}
name: {name}
log: {{level: WARNING, dir: {dir}}}
restapi: {{listen: "127.0.0.1:{rest}", connect_address: "127.0.0.1:{rest}"}}
etcd: {{host: "127.0.0.1:{etcd}"}}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters: {{wal_level: replica, hot_standby: "on", max_wal_senders: 8, max_replication_slots: 8, wal_log_hints: "on",
                   max_connections: 200, synchronous_commit: "on", fsync: "on"}}
  initdb: [{{encoding: UTF8}}, data-checksums]
  pg_hba: ["local all all trust", "host replication replicator 127.0.0.1/32 trust", "host all all 127.0.0.1/32 trust"]
postgresql:
  listen: "127.0.0.1:{port}"
  connect_address: "127.0.0.1:{port}"
  data_dir: {dir}/data
  bin_dir: {bin_dir}
  pgpass: {dir}/pgpass
  authentication:
    superuser: {{username: postgres, password: postgres}}
    replication: {{username: replicator, password: replicator}}
    rewind: {{username: postgres, password: postgres}}
  parameters: {{unix_socket_directories: "{dir}"}}
"""


@dataclass
class PatroniNode:
    name: str
    port: int
    rest: int
    dir: Path
    process: subprocess.Popen | None = None

    def role(self) -> str | None:
        """'primary', 'replica', or None when its REST API doesn't answer (Patroni 3.0 says 'master')."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.rest}/patroni", timeout=3) as response:
                role = json.load(response).get("role")
                return "primary" if role == "master" else role
        except OSError:
            return None
        except ValueError:
            return None

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill(self) -> None:
        """SIGKILL to Patroni and to PostgreSQL with every backend: the node is gone at once."""
        pids = [self.process.pid] if self.process and self.process.poll() is None else []
        postmaster = self.postmaster_pid()
        if postmaster:
            pids += [postmaster, *_children(postmaster)]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process:
            self.process.wait(10)


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


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
        for i in range(nodes):
            node_dir = root / f"pg{i}"
            node_dir.mkdir(mode=0o700)
            node = PatroniNode(f"pg{i}", first + 2 + 2 * i, first + 3 + 2 * i, node_dir)
            config = node_dir / "patroni.yml"
            config.write_text(NODE_CONFIG.format(scope=SCOPE, name=node.name, dir=node_dir, rest=node.rest, etcd=first,
                                                 port=node.port, bin_dir=BIN_DIR))  # fmt: skip
            for path in (root, node_dir, config):
                os.chown(path, postgres.pw_uid, postgres.pw_gid)
            cluster.nodes.append(node)
            node.process = _start_patroni(node, config, postgres)
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


def _start_patroni(node: PatroniNode, config: Path, postgres: pwd.struct_passwd) -> subprocess.Popen:
    log = (node.dir / "patroni-stdout.log").open("wb")
    os.chown(log.name, postgres.pw_uid, postgres.pw_gid)
    return subprocess.Popen(
        ["patroni", str(config)], stdout=log, stderr=subprocess.STDOUT, user=postgres.pw_uid, group=postgres.pw_gid,
        cwd=node.dir, env={"PATH": os.environ["PATH"], "HOME": str(node.dir), "LANG": "C.UTF-8"}, start_new_session=True,
    )
