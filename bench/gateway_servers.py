"""Which HTTP server to run the gateway on: each candidate serves the same ASGI app, and wrk drives home reads.

    .venv/bin/python -m bench.gateway_servers [--seconds 10] [--connections 32]

Starts the embedded mesh (its own gateway switched off from the measurement by
a port of its own), loads a reader who follows 20 authors with 20 tweets each,
then for each server: one worker process, wrk with that many keep-alive
connections for that long on GET /v1/timelines/home?page_size=20, requests per
second, wrk's p50/p99, and the server process's CPU milliseconds per request.
Needs `wrk` (Debian's package).
"""

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import cpu, systems
from bench.gateway_load import setup_readers
from chirp_client.credentials import key_holder_tokens

CANDIDATES = {
    "uvicorn+httptools": lambda port: [sys.executable, "-m", "uvicorn", "bench.gateway_asgi:app", "--http", "httptools", "--loop", "asyncio",
                                       "--no-access-log", "--log-level", "warning", "--port", str(port)],
    "granian": lambda port: [sys.executable, "-m", "granian", "--interface", "asgi", "--loop", "asyncio", "--workers", "1",
                             "--no-ws", "--log-level", "warning", "--port", str(port), "bench.gateway_asgi:app"],
    "hypercorn": lambda port: [sys.executable, "-m", "hypercorn", "bench.gateway_asgi:app", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning"],
}  # fmt: skip
_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_PERCENTILE = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def run_wrk(url: str, token: str, seconds: int, connections: int) -> dict:
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Authorization: {token}", url]
    text = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}
    latency = {f"p{p}": round(float(v) * scale[u], 2) for p, v, u in _PERCENTILE.findall(text)}
    errors = _NON_2XX.search(text)
    return {"requests_per_second": float(_RPS.search(text).group(1)), **latency, "non_2xx": int(errors.group(1)) if errors else 0}


async def measure(name: str, target: str, reader: int, seconds: int, connections: int) -> dict:
    port = systems.free_ports(1)
    env = {**os.environ, "CHIRP_TARGET": target}
    server = subprocess.Popen(CANDIDATES[name](port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        await _wait_listening(port)
        url, token = f"http://127.0.0.1:{port}/v1/timelines/home?page_size=20", f"Bearer {key_holder_tokens().bearer(reader)}"
        run_wrk(url, token, 2, connections)  # warm up
        before = cpu.cpu_seconds([server.pid, *_children(server.pid)])
        result = await asyncio.to_thread(run_wrk, url, token, seconds, connections)
        spent = cpu.cpu_seconds([server.pid, *_children(server.pid)]) - before
        result["server_cpu_ms_per_request"] = round(spent * 1000 / (result["requests_per_second"] * seconds), 3)
        result["server_only_404_per_second"] = (await asyncio.to_thread(run_wrk, f"http://127.0.0.1:{port}/nowhere", token, seconds, connections))[
            "requests_per_second"]  # the server and routing alone, no gRPC call
        return result
    finally:
        server.terminate()
        server.wait(timeout=10)


async def _wait_listening(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while systems.is_free(port):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no server listens on {port} after {timeout} s")
        await asyncio.sleep(0.1)


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


async def main(seconds: int, connections: int) -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="chirp-gateway-servers-") as scratch:
        running = await systems.start_embedded(Path(scratch), systems.free_ports(1))
        try:
            readers = await setup_readers(running.target, readers=1, authors=20, tweets_each=20)
            for name in CANDIDATES:
                result = await measure(name, running.target, readers[0], seconds, connections)
                print(f"{name:20} {result}", flush=True)
                time.sleep(1)
        finally:
            await running.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.connections))
