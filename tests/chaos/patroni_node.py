"""One PostgreSQL server under Patroni: its configuration, its state, and a hard kill."""

import json
import os
import pwd
import signal
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

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


def start_patroni(node: PatroniNode, etcd_port: int, postgres: pwd.struct_passwd) -> None:
    """Writes the node's configuration and starts its Patroni as the postgres user."""
    node.dir.mkdir(mode=0o700)
    config = node.dir / "patroni.yml"
    config.write_text(NODE_CONFIG.format(scope=SCOPE, name=node.name, dir=node.dir, rest=node.rest, etcd=etcd_port,
                                         port=node.port, bin_dir=BIN_DIR))  # fmt: skip
    for path in (node.dir, config):
        os.chown(path, postgres.pw_uid, postgres.pw_gid)
    log = (node.dir / "patroni-stdout.log").open("wb")
    os.chown(log.name, postgres.pw_uid, postgres.pw_gid)
    node.process = subprocess.Popen(
        ["patroni", str(config)], stdout=log, stderr=subprocess.STDOUT, user=postgres.pw_uid, group=postgres.pw_gid,
        cwd=node.dir, env={"PATH": os.environ["PATH"], "HOME": str(node.dir), "LANG": "C.UTF-8"}, start_new_session=True,
    )
