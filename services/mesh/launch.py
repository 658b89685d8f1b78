"""`make mesh`: every service as its own process, on PostgreSQL, Redis and RabbitMQ.

Starts every built service of the registry, in its order, as many times
as the registry says (CHIRP_REPLICAS=tweet=2,graph=2, or CHIRP_<NAME>_REPLICAS,
overrides it), each a
`python -m services.mesh` process configured by environment variables,
then the REST gateway (`python -m services.gateway`) in front of them. Each has its own /metrics: CHIRP_METRICS_LISTEN=
HOST:PORT is the first of consecutive ports, one per process in start order. Clients reach the replicas of a service through a
multi-address target balanced round-robin by gRPC; the launcher prints
the CHIRP_TARGET that names them all. A child that exits stops the rest.

Keys: the account service alone gets the signing key (CHIRP_JWT_PRIVATE_KEY,
else `$CHIRP_DATA_DIR/jwt-signing-key.pem`, made at the first start); every
process gets its public half, added to CHIRP_JWT_PUBLIC_KEYS.
"""

import asyncio
import json
import os
import secrets
import signal
import sys
from pathlib import Path

import asyncpg

from services.common.runtime.env import ConfigError, env_int, env_str
from services.common.runtime.lifeline import parent_env
from services.common.tokens.keys import SIGNING_KEY_FILE, SigningKey, load_or_create, public_keys_from, read_setting
from services.mesh.launch_settings import metrics_addresses, replica_counts
from services.registry import entry

DEFAULTS = {
    "CHIRP_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/chirp",
    "CHIRP_REDIS_URL": "redis://127.0.0.1:6379/0",
    "CHIRP_RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:5672/%2F",
}
GATEWAY_LISTEN = "127.0.0.1:8080"  # CHIRP_GATEWAY_LISTEN: the REST gateway's process, started after the services


STOP_MARGIN_SECONDS = 15  # beyond the shutdown grace, before a child that has not stopped is killed


def plan(base_port: int, counts: dict[str, int]) -> dict[str, list[int]]:
    """The ports of every replica of every service, from base_port up."""
    ports, next_port = {}, base_port
    for service, count in counts.items():
        ports[service] = list(range(next_port, next_port + count))
        next_port += count
    return ports


def target_of(ports: list[int]) -> str:
    addresses = [f"127.0.0.1:{port}" for port in ports]
    return addresses[0] if len(addresses) == 1 else "ipv4:" + ",".join(addresses)


def child_env(base: dict[str, str], ports: dict[str, list[int]], service: str, port: int, replica: int) -> dict[str, str]:
    env = {**base, "CHIRP_SERVICE": service, "CHIRP_LISTEN": f"127.0.0.1:{port}"}
    env.update({entry(name).target_variable: target_of(service_ports) for name, service_ports in ports.items()})
    env["CHIRP_WORKER_ID"] = str(int(base.get("CHIRP_WORKER_ID", "0")) + replica)
    env["CHIRP_REPLICA"] = str(replica)  # a Search replica's own queue and index directory
    if service != "account":
        env.pop("CHIRP_JWT_PRIVATE_KEY", None)
    return env


def share_keys(base: dict[str, str]) -> None:
    """The signing key for the account service; its public half, beside any published before, for every process."""
    texts = read_setting(base.get("CHIRP_JWT_PRIVATE_KEY", ""))
    if texts:
        key = SigningKey.from_pem(texts[0])
    else:
        key = load_or_create(Path(base.get("CHIRP_DATA_DIR") or "data") / SIGNING_KEY_FILE)
        base["CHIRP_JWT_PRIVATE_KEY"] = key.pem().decode()
    published = public_keys_from(read_setting(base.get("CHIRP_JWT_PUBLIC_KEYS", "")))
    base["CHIRP_JWT_PUBLIC_KEYS"] = json.dumps({"keys": [k.jwk() for k in [key.public, *published]]})
    base.setdefault("CHIRP_SERVICE_KEY", SigningKey.generate().pem().decode())  # the services' own tokens, for this run


async def ensure_database(url: str) -> None:
    """Creates the database the URL names when it doesn't exist yet."""
    name, _, query = url.rsplit("/", 1)[-1].partition("?")
    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres" + (f"?{query}" if query else ""))  # the primary, under Patroni
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def relay_output(service: str, stream: asyncio.StreamReader, started: asyncio.Event) -> None:
    async for line in stream:
        text = line.decode(errors="replace").rstrip()
        if "listening on" in text:
            started.set()
        print(f"[{service}] {text}", flush=True)


async def run() -> int:
    base = {**DEFAULTS, **os.environ}
    base.setdefault("CHIRP_PAGE_TOKEN_SECRET", secrets.token_hex(32))  # replicas must accept each other's tokens
    share_keys(base)
    ports = plan(env_int("CHIRP_MESH_BASE_PORT", 50060, 1024, 65000), replica_counts())
    metrics = metrics_addresses(base.get("CHIRP_METRICS_LISTEN", ""), sum(map(len, ports.values())) + 1)  # + the gateway
    await ensure_database(env_str("CHIRP_DATABASE_URL", DEFAULTS["CHIRP_DATABASE_URL"]))
    children, relays = [], []

    async def start(module: str, env: dict[str, str], label: str) -> bool:
        env = {**env, "CHIRP_METRICS_LISTEN": metrics[len(children)]}
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, env={**env, **parent_env()}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        started = asyncio.Event()
        relays.append(asyncio.create_task(relay_output(label, child.stdout, started)))
        children.append(child)
        await asyncio.wait([asyncio.create_task(started.wait()), asyncio.create_task(child.wait())],
                           timeout=60, return_when=asyncio.FIRST_COMPLETED)
        return started.is_set()

    for service, service_ports in ports.items():  # in dependency order: each waits for the one before
        for replica, port in enumerate(service_ports):
            if not await start("services.mesh", child_env(base, ports, service, port, replica), f"{service}:{port}"):
                return await stop_all(children, f"{service} on port {port} did not start")
    gateway_env = {**child_env(base, ports, "gateway", 0, 0), "CHIRP_GATEWAY_LISTEN": env_str("CHIRP_GATEWAY_LISTEN", GATEWAY_LISTEN)}
    del gateway_env["CHIRP_SERVICE"], gateway_env["CHIRP_LISTEN"]
    if not await start("services.gateway", gateway_env, "gateway"):
        return await stop_all(children, "the REST gateway did not start")
    target = ";".join(f"{service}={target_of(p)}" for service, p in ports.items())
    print(f"Chirp mesh: {len(children)} processes up (the REST gateway on http://{gateway_env['CHIRP_GATEWAY_LISTEN']}). "
          "Point clients at them with:", flush=True)  # fmt: skip
    print(f'  export CHIRP_TARGET="{target}"', flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    exits = [asyncio.create_task(child.wait()) for child in children]
    await asyncio.wait([asyncio.create_task(stop.wait()), *exits], return_when=asyncio.FIRST_COMPLETED)
    return await stop_all(children, None if stop.is_set() else "a service exited")


async def stop_all(children: list[asyncio.subprocess.Process], reason: str | None) -> int:
    if reason:
        print(f"chirp-mesh: {reason}; stopping every service", file=sys.stderr, flush=True)
    for child in children:
        if child.returncode is None:
            child.send_signal(signal.SIGTERM)
    grace = env_int("CHIRP_SHUTDOWN_GRACE_SECONDS", 5, 0, 600) + STOP_MARGIN_SECONDS
    _, late = await asyncio.wait([asyncio.create_task(child.wait()) for child in children], timeout=grace)
    if late:  # a child stuck in its shutdown: it is ended, and said, rather than keeping the launcher (and its ports) forever
        stuck = [child.pid for child in children if child.returncode is None]
        print(f"chirp-mesh: processes {stuck} did not stop within {grace} s of SIGTERM; killing them", file=sys.stderr, flush=True)
        for child in children:
            if child.returncode is None:
                child.kill()
        await asyncio.gather(*late)
    return 1 if reason or late else 0


def main() -> None:
    try:
        sys.exit(asyncio.run(run()))
    except ConfigError as error:
        sys.exit(f"chirp-mesh: configuration error: {error}")


if __name__ == "__main__":
    main()
