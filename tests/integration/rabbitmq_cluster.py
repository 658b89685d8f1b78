"""A RabbitMQ cluster of its own for fault tests: three extra nodes on loopback, never the machine's own node.

Each node gets its own name, AMQP and distribution ports (below the ephemeral range), data and log
directories under the test's workdir, no plugins, and one Erlang cookie shared by the nodes and the CLI.
"""

import os
import secrets
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.integration.servers import free_port_range, wait_for_port

SBIN = Path("/usr/lib/rabbitmq/bin")  # the scripts themselves: /usr/sbin's wrappers switch to the rabbitmq user
BOOT_TIMEOUT_SECONDS = 120.0


@dataclass
class RabbitNode:
    name: str
    port: int
    dist_port: int
    base: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"


class LocalRabbitCluster:
    def __init__(self, workdir: Path, nodes: int = 3):
        if not (SBIN / "rabbitmq-server").exists():
            raise FileNotFoundError("rabbitmq-server is not installed: run `make test`, which installs it")
        self.workdir, self.cookie = workdir, secrets.token_hex(16)
        tag, first = uuid.uuid4().hex[:6], free_port_range(2 * nodes)
        self.nodes = [RabbitNode(f"chirp{tag}n{i}@localhost", first + i, first + nodes + i, workdir / f"node{i}") for i in range(nodes)]
        (workdir / "enabled_plugins").write_text("[].\n")
        (workdir / ".erlang.cookie").write_text(self.cookie)
        (workdir / ".erlang.cookie").chmod(0o400)

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    @property
    def url(self) -> str:
        """Every node, comma-separated: the form CHIRP_RABBITMQ_URL takes for a cluster."""
        return ",".join(self.urls)

    def _env(self, node: RabbitNode) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.workdir), "RABBITMQ_NODENAME": node.name, "RABBITMQ_NODE_PORT": str(node.port),
                "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1", "RABBITMQ_DIST_PORT": str(node.dist_port),
                "RABBITMQ_MNESIA_BASE": str(node.base / "mnesia"), "RABBITMQ_LOG_BASE": str(node.base / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.workdir / "enabled_plugins"), "RABBITMQ_CONFIG_FILE": str(node.base / "none"),
                "RABBITMQ_ADVANCED_CONFIG_FILE": str(node.base / "none.config"), "RABBITMQ_PID_FILE": str(node.base / "pid"),
                "RABBITMQ_LOGS": str(node.base / "log" / "rabbit.log")}

    def ctl(self, node: RabbitNode, *args: str, timeout: float = 60.0) -> str:
        run = subprocess.run([str(SBIN / "rabbitmqctl"), "-n", node.name, *args], env=self._env(node),
                             capture_output=True, text=True, timeout=timeout)
        if run.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} on {node.name} failed: {run.stdout}{run.stderr}")
        return run.stdout

    def start_node(self, node: RabbitNode) -> None:
        node.base.mkdir(parents=True, exist_ok=True)
        with (node.base / "console.log").open("ab") as out:
            node.process = subprocess.Popen([str(SBIN / "rabbitmq-server")], env=self._env(node), stdout=out,
                                            stderr=subprocess.STDOUT, cwd=node.base, start_new_session=True)

    def wait_booted(self, node: RabbitNode) -> None:
        deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
        while True:
            if node.process is not None and node.process.poll() is not None:
                raise RuntimeError(f"{node.name} exited:\n{(node.base / 'console.log').read_text()[-3000:]}")
            try:
                self.ctl(node, "await_startup", "--timeout", "5", timeout=30)
                break
            except (RuntimeError, subprocess.TimeoutExpired):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        wait_for_port(node.port, timeout=30)

    def start(self) -> "LocalRabbitCluster":
        for node in self.nodes:
            self.start_node(node)
        for node in self.nodes:
            self.wait_booted(node)
        first = self.nodes[0]
        for node in self.nodes[1:]:
            self.ctl(node, "stop_app")
            self.ctl(node, "join_cluster", first.name)
            self.ctl(node, "start_app")
        running = self.ctl(first, "cluster_status", "--formatter", "json")
        missing = [node.name for node in self.nodes if node.name not in running]
        assert not missing, f"nodes did not join the cluster: {missing}"
        return self

    def stop_node(self, node: RabbitNode) -> None:
        """A clean stop of one node (the others keep serving its queues' majorities)."""
        self.ctl(node, "stop", timeout=120)
        if node.process is not None:
            node.process.wait(60)

    def restart_node(self, node: RabbitNode) -> None:
        self.start_node(node)
        self.wait_booted(node)

    def close(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                try:
                    self.ctl(node, "stop", timeout=60)
                    node.process.wait(30)
                except (RuntimeError, subprocess.TimeoutExpired):
                    os.killpg(node.process.pid, 9)
                    node.process.wait(10)
        shutil.rmtree(self.workdir, ignore_errors=True)
