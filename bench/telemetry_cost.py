"""What telemetry costs: home reads and posts a second on the embedded mesh, closed loop, with tracing off and
with tracing on at a sampling ratio of 0 (every gRPC, Redis and SQL call instrumented, no span kept; always_off
installs nothing, so it is tracing off), and optionally
against another checkout without the metrics (`--baseline /work/main`).

    .venv/bin/python -m bench.telemetry_cost [--seconds 8] [--rounds 2] [--baseline PATH]

Each configuration runs `rounds` times, interleaved, each on a fresh process; the median is reported.
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
from pathlib import Path

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


async def measure(target: str, seconds: float) -> float:
    """Calls a second over `seconds` of home reads with a share of posts, WORKERS at a time."""
    rng = random.Random(7)
    async with AsyncChirpClient(target) as client:
        users = [(await client.graph.CreateUser(graph_pb.CreateUserRequest(handle=f"u{i}"), metadata=_tokens().as_service("account"))).user.user_id for i in range(USERS)]
        for user in users:
            for followee in rng.sample([u for u in users if u != user], FOLLOWS):
                await client.graph.FollowUser(graph_pb.FollowUserRequest(user_id=followee), metadata=as_user(user))
            await client.tweet.CreateTweet(tweet_pb.CreateTweetRequest(text="warm"), metadata=as_user(user))
        done, deadline = 0, time.monotonic() + seconds

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
    return done / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", type=Path, help="another checkout (with its .venv), e.g. one without metrics")
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    configs = {"tracing off": (here, {}), "tracing on, sampling ratio 0": (here, SAMPLING_OFF)}
    if args.baseline:
        configs = {f"baseline ({args.baseline})": (args.baseline, {}), **configs}
    results: dict[str, list[float]] = {name: [] for name in configs}
    for _ in range(args.rounds):
        for name, (repo, env) in configs.items():
            with tempfile.TemporaryDirectory() as workdir:
                process, target = start(repo, env, Path(workdir))
                try:
                    results[name].append(asyncio.run(measure(target, args.seconds)))
                finally:
                    process.terminate()
                    process.wait(30)
    first = statistics.median(next(iter(results.values())))
    for name, rates in results.items():
        median = statistics.median(rates)
        print(f"{name:45} {median:8.0f} calls/s  ({median / first - 1:+.1%}; rounds: {', '.join(f'{r:.0f}' for r in rates)})")


if __name__ == "__main__":
    sys.exit(main())
