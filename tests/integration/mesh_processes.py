"""The mesh as separate processes, one per service, for tests that kill them. Loopback only."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from services.common.limits.rates import format_rates
from services.common.runtime.config import Settings
from services.common.tokens.keys import SigningKey
from services.registry import entry
from tests.integration.servers import free_port

START_TIMEOUT_SECONDS = 30.0


@dataclass
class ServiceProcess:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class MeshProcesses:
    settings: Settings
    workdir: Path
    running: dict[str, ServiceProcess] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def env(self, service: str, port: int, extra: dict[str, str]) -> dict[str, str]:
        s = self.settings
        env = {
            **os.environ,
            "CHIRP_SERVICE": service.split("-")[0],
            "CHIRP_LISTEN": f"127.0.0.1:{port}",
            "CHIRP_DATABASE_URL": s.database_url,
            "CHIRP_REDIS_URL": s.redis_url,
            "CHIRP_REDIS_CLUSTER": "true" if s.redis_cluster else "false",
            "CHIRP_RABBITMQ_URL": s.rabbitmq_url,
            "CHIRP_BUS_NAMESPACE": s.bus_namespace,
            "CHIRP_PAGE_TOKEN_SECRET": s.page_token_secret.decode(),
            "CHIRP_CELEBRITY_THRESHOLD": str(s.celebrity_threshold),
            "CHIRP_HEALTH_CHECK_INTERVAL_MS": "200",
            "CHIRP_RATE_LIMITS": format_rates(s.rate_limits),
            "CHIRP_JWT_PUBLIC_KEYS": SigningKey.from_pem(s.jwt_private_key).public_pem().decode(),
        }
        if service.startswith("account"):
            env["CHIRP_JWT_PRIVATE_KEY"] = s.jwt_private_key.decode()
        for dependency in entry(service.split("-")[0]).calls:
            if dependency in self.ports:
                env[entry(dependency).target_variable] = f"127.0.0.1:{self.ports[dependency]}"
        return {**env, **extra}

    async def start(self, name: str, **extra: str) -> ServiceProcess:
        """Starts `name` (a service, or service-suffix for a replica) and waits until it listens."""
        port = self.ports.setdefault(name, free_port())
        log = self.workdir / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "services.mesh"], env=self.env(name, port, extra), stdout=out, stderr=subprocess.STDOUT
            )
        self.running[name] = ServiceProcess(name, port, process, log)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while f"listening on 127.0.0.1:{port}" not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{name} did not start:\n{log.read_text()}")
            await asyncio.sleep(0.05)
        return self.running[name]

    def kill(self, name: str) -> None:
        """kill -9: no shutdown, no goodbye to RabbitMQ."""
        service = self.running.pop(name)
        service.process.send_signal(signal.SIGKILL)
        service.process.wait(10)

    def stop(self, name: str) -> None:
        """SIGTERM: a graceful stop."""
        service = self.running.pop(name)
        service.process.terminate()
        service.process.wait(30)

    def stop_all(self) -> None:
        for service in self.running.values():
            service.process.terminate()
        for service in self.running.values():
            try:
                service.process.wait(10)
            except subprocess.TimeoutExpired:
                service.process.kill()
        self.running.clear()

    def target(self) -> str:
        """A client target naming every running service (replicas balanced round-robin)."""
        by_service: dict[str, list[str]] = {}
        for service in self.running.values():
            by_service.setdefault(service.name.split("-")[0], []).append(service.address)
        parts = [f"{key}={a[0] if len(a) == 1 else 'ipv4:' + ','.join(a)}" for key, a in by_service.items()]
        return ";".join(parts)
