"""REST home reads through the gateway against the same reads over gRPC, in the same run.

In `make bench` each system's REST sweep is compared with its gRPC home
sweep of that run (bench/run.py). Alone, `python -m bench.gateway [--quick]`
starts mesh mode (the gateway its own process), makes readers who follow
authors with tweets, and sweeps both, one after the other. Each reports
its saturation (p99 under 200 ms), the ratio REST/gRPC (the target is at
least 0.6) and the system's CPU per request at half of saturation
(the gateway's process included).
"""

import argparse
import asyncio
import json
import random
import tempfile
from pathlib import Path

from bench import cpu, loadgen, systems
from bench.gateway_load import setup_readers
from bench.http_client import LeanHttpClient
from bench.progress import log
from bench.workloads import Population, Workloads
from chirp_client.client import AsyncChirpClient
from chirp_client.credentials import key_holder_tokens

TARGET_RATIO = 0.6
PLANS = {"standard": {"seconds": 5.0, "start": 100, "steps": 7, "readers": 200}, "quick": {"seconds": 2.0, "start": 100, "steps": 6, "readers": 50}}


def rest_home(client: LeanHttpClient, users: list[int], page_size: int = 20):
    """A loadgen Pick: a home read of a uniformly drawn user, over REST."""

    tokens = key_holder_tokens()  # the key the benchmark's systems share (systems.share_signing_key)

    def read(user: int):
        return asyncio.wait_for(client.get(f"/v1/timelines/home?page_size={page_size}", {"authorization": f"Bearer {tokens.bearer(user)}"}), 5)

    return lambda rng: ("rest_home", lambda user=rng.choice(users): read(user))


async def rest_sweep(name: str, url: str, users: list[int], rates: list[float], seconds: float, spent) -> dict:
    client = LeanHttpClient(url)
    try:
        read, limit = rest_home(client, users), asyncio.Semaphore(16)

        async def warm(rng: random.Random) -> None:  # connections and channels up before the clock runs
            async with limit:
                await read(rng)[1]()

        await asyncio.gather(*(warm(random.Random(n)) for n in range(len(users))))
        return (await loadgen.sweep(f"{name}/rest_home", read, rates, seconds, log, spent)).summary()
    finally:
        await client.aclose()


def compared(grpc_home: dict, rest: dict) -> dict:
    grpc_top, rest_top = grpc_home["saturation_per_second"], rest["saturation_per_second"]
    return {"rest": rest, "grpc_saturation_per_second": grpc_top, "rest_saturation_per_second": rest_top,
            "ratio": round(rest_top / grpc_top, 3) if grpc_top and rest_top else None, "target_ratio": TARGET_RATIO,
            "grpc_cpu_ms_per_request": grpc_home["cpu_ms_per_request_at_half_saturation"],
            "rest_cpu_ms_per_request": rest["cpu_ms_per_request_at_half_saturation"]}  # fmt: skip


async def run(workdir: Path, plan_name: str) -> dict:
    plan = PLANS[plan_name]
    rates = [plan["start"] * 2**n for n in range(plan["steps"])]
    running = await systems.start_mesh(workdir, systems.free_ports(12))
    try:
        users = await setup_readers(running.target, readers=plan["readers"], authors=20, tweets_each=10)
        spent = cpu.meter(lambda: [*running.pids().values(), *cpu.engine_pids()])
        async with AsyncChirpClient(running.target, timeout=5, credentials=key_holder_tokens()) as client:
            work = Workloads(client, Population(users, {}))
            await work.warm(users)
            grpc_home = (await loadgen.sweep("mesh/grpc_home", work.pick("home"), rates, plan["seconds"], log, spent)).summary()
        result = compared(grpc_home, await rest_sweep("mesh", running.rest_url, users, rates, plan["seconds"], spent))
        result["grpc"] = grpc_home
    finally:
        await running.stop()
    log(f"REST/gRPC home reads: {result['rest_saturation_per_second']}/s against {result['grpc_saturation_per_second']}/s, "
        f"ratio {result['ratio']} (target {TARGET_RATIO}); CPU ms a request {result['rest_cpu_ms_per_request']} against {result['grpc_cpu_ms_per_request']}")  # fmt: skip
    return result


async def main(out: Path, plan_name: str) -> None:
    random.seed(3)
    with tempfile.TemporaryDirectory(prefix="chirp-bench-gateway-") as scratch:
        result = await run(Path(scratch), plan_name)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gateway.json").write_text(json.dumps(result, indent=1))
    log(f"wrote {out}/gateway.json")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.out, "quick" if args.quick else "standard"))
