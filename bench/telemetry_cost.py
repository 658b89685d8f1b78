"""What telemetry costs: home reads and posts a second on the embedded mesh, closed loop, and the mesh's CPU per call,
with tracing off and with tracing on at a sampling ratio of 0 (a parent-based ratio sampler that keeps no new trace;
always_off installs nothing, so it is tracing off), optionally with every call sampled (`--sampled`: spans exported over
OTLP/gRPC to a receiver here that drops them), and optionally against another checkout
without the metrics (`--baseline /work/main`).

    .venv/bin/python -m bench.telemetry_cost [--seconds 8] [--rounds 2] [--sampled] [--baseline PATH]

Each configuration runs `rounds` times, interleaved, each on a fresh process; the medians are reported, and in
brackets the median over rounds of each run against the first configuration's run in the same round.
"""

import argparse
import asyncio
import functools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc

from bench.cpu import cpu_seconds
from bench.systems import free_ports, share_signing_key
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from chirp_client import AsyncChirpClient
from chirp_client.credentials import key_holder_tokens
from chirp_client.metadata import bearer_metadata

USERS, FOLLOWS, WORKERS, POST_SHARE = 50, 10, 32, 0.1
# A ratio of 0: every call goes through the instrumentation and none is kept (always_off installs nothing at all).
SAMPLING_OFF = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
                "OTEL_TRACES_SAMPLER_ARG": "0"}
SAMPLING_ALL = SAMPLING_OFF | {"OTEL_TRACES_SAMPLER_ARG": "1"}  # and the endpoint of a discarding receiver


def discarding_receiver() -> tuple[grpc.Server, str]:
    """An OTLP/gRPC trace receiver that reads no request and answers each with an empty response."""
    server = grpc.server(ThreadPoolExecutor(2))
    export = grpc.unary_unary_rpc_method_handler(lambda request, context: b"")  # no serializers: bytes in, bytes out
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("opentelemetry.proto.collector.trace.v1.TraceService", {"Export": export})])
    port = free_ports(1)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    return server, f"http://127.0.0.1:{port}"


@functools.cache
def _tokens():
    return key_holder_tokens()  # the key the meshes started here share (systems.share_signing_key)


def as_user(user_id: int) -> list[tuple[str, str]]:
    return [bearer_metadata(_tokens().bearer(user_id))]


def start(repo: Path, env_extra: dict[str, str], workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_ports(1)
    share_signing_key()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHIRP_", "OTEL_"))}
    env |= {"CHIRP_LISTEN": f"127.0.0.1:{port}", "CHIRP_DATA_DIR": str(workdir), "CHIRP_LOG_LEVEL": "WARNING",
            "CHIRP_RATE_LIMITS": "off", "CHIRP_METRICS_LISTEN": "off", "CHIRP_JWT_PRIVATE_KEY": os.environ["CHIRP_JWT_PRIVATE_KEY"],
            **env_extra}  # fmt: skip
    log = (workdir / "mesh.log").open("w")
    process = subprocess.Popen([str(repo / ".venv/bin/python"), "-m", "services.mesh"], cwd=repo, env=env, stdout=log, stderr=log)
    while "listening on" not in (workdir / "mesh.log").read_text():
        if process.poll() is not None:
            raise RuntimeError((workdir / "mesh.log").read_text())
        time.sleep(0.1)
    return process, f"127.0.0.1:{port}"


async def measure(target: str, seconds: float, pid: int) -> tuple[float, float]:
    """Calls a second over `seconds` of home reads with a share of posts, WORKERS at a time, and the CPU
    milliseconds the mesh's process spent per call."""
    rng = random.Random(7)
    async with AsyncChirpClient(target) as client:
        users = [(await client.graph.CreateUser(graph_pb.CreateUserRequest(handle=f"u{i}"), metadata=_tokens().as_service("account"))).user.user_id for i in range(USERS)]
        for user in users:
            for followee in rng.sample([u for u in users if u != user], FOLLOWS):
                await client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=followee), metadata=as_user(user))
            await client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="warm"), metadata=as_user(user))
        done, deadline, cpu_before = 0, time.monotonic() + seconds, cpu_seconds([pid])

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < deadline:
                user = rng.choice(users)
                if rng.random() < POST_SHARE:
                    await client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="load"), metadata=as_user(user))
                else:
                    await client.timeline.ListHomeTimeline(timeline_pb.ListHomeTimelineRequest(), metadata=as_user(user))
                done += 1

        await asyncio.gather(*(worker() for _ in range(WORKERS)))
    return done / seconds, (cpu_seconds([pid]) - cpu_before) * 1000 / max(done, 1)


PLANS = {"standard": {"seconds": 4.0, "rounds": 4}, "quick": {"seconds": 2.0, "rounds": 1}}


async def compare(seconds: float, rounds: int, sampled: bool = False, baseline: Path | None = None) -> dict[str, dict]:
    """Each configuration's median calls/s and CPU ms per call, and (`paired_*`) the median over rounds of each of its
    runs against the first configuration's run in the same round: the machine's load drifts less within a round."""
    here = Path(__file__).resolve().parents[1]
    configs = {"tracing off": (here, {}), "tracing on, sampling ratio 0": (here, SAMPLING_OFF)}
    receiver = None
    if sampled:
        receiver, endpoint = discarding_receiver()
        configs["tracing on, sampling ratio 1"] = (here, SAMPLING_ALL | {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint})
    if baseline:
        configs = {f"baseline ({baseline})": (baseline, {}), **configs}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in configs}
    try:
        for _ in range(rounds):
            for name, (repo, env) in configs.items():
                with tempfile.TemporaryDirectory() as workdir:
                    process, target = await asyncio.to_thread(start, repo, env, Path(workdir))
                    try:
                        results[name].append(await measure(target, seconds, process.pid))
                    finally:
                        process.terminate()
                        await asyncio.to_thread(process.wait, 30)
    finally:
        if receiver is not None:
            receiver.stop(0)
    first = next(iter(results.values()))
    summary = {}
    for name, runs in results.items():
        rate, cpu = (statistics.median(column) for column in zip(*runs))
        paired_rate, paired_cpu = (statistics.median(m[i] / f[i] - 1 for m, f in zip(runs, first)) for i in (0, 1))
        summary[name] = {"calls_per_second": rate, "cpu_ms_per_call": cpu, "paired_rate": paired_rate, "paired_cpu": paired_cpu,
                         "rounds": [list(run) for run in runs]}  # fmt: skip
    return summary


def describe(summary: dict[str, dict]) -> list[str]:
    return [f"{name:30} {f['calls_per_second']:5.0f} calls/s ({f['paired_rate']:+6.1%}), {f['cpu_ms_per_call']:.3f} ms CPU/call"
            f" ({f['paired_cpu']:+6.1%}); rounds: {', '.join(f'{r:.0f} {c:.3f}' for r, c in f['rounds'])}" for name, f in summary.items()]


def report_rows(summary: dict[str, dict] | None) -> list[tuple[str, str, str, str]]:
    """The summary table's row (embedded column): tracing on at ratio 0 against tracing off."""
    quiet = (summary or {}).get("tracing on, sampling ratio 0")
    if quiet is None:
        return []
    rounds = len(quiet["rounds"])
    return [(f"Tracing on, sampling ratio 0, against tracing off (home reads and 10% posts, closed loop, {rounds} rounds in turns):"
             " calls/s, CPU per call", f"{quiet['paired_rate']:+.1%}, {quiet['paired_cpu']:+.1%}", "", "a few percent")]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sampled", action="store_true", help="also with every call sampled (ratio 1)")
    parser.add_argument("--baseline", type=Path, help="another checkout (with its .venv), e.g. one without metrics")
    args = parser.parse_args()
    print("\n".join(describe(asyncio.run(compare(args.seconds, args.rounds, args.sampled, args.baseline)))))


if __name__ == "__main__":
    sys.exit(main())
