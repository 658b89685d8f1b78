"""Capacity plan: per-process figures measured on one machine, scaled to the design's load.

Reads the figures the benchmark writes (bench/results/latest.json), sizes each
tier for the design target (200M daily active users, 325,000 home reads/s at
peak) with a headroom factor, and writes the plan as Markdown and as a PNG.

    .venv/bin/python -m bench.capacity bench/results/latest.json [--out-dir bench/results]
        [--headroom 0.5] [--cores-per-node 16] [--redis-node-gib 64]
"""

import argparse
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

GIB, TIB = 1024**3, 1024**4
NOT_MEASURED = "not measured"
REDIS = "Redis timelines"


@dataclass(frozen=True)
class Scale:
    daily_active_users: int = 200_000_000
    peak_home_reads_per_second: int = 325_000
    average_tweets_per_second: int = 4_600
    peak_tweets_per_second: int = 14_000
    timeline_length: int = 800
    replication_factor: int = 3
    average_followers: int = 200
    redis_key_overhead_bytes: int = 90
    headroom: float = 0.5
    redis_node_gib: float = 64
    cores_per_node: int = 16

    def __post_init__(self) -> None:
        if not 0 < self.headroom <= 1 or self.cores_per_node < 1 or self.redis_node_gib <= 0:
            raise ValueError("headroom must be in (0, 1], cores per node and Redis GiB per node above 0")


# Scale field -> (assumption, source or reason), in the order the table lists them.
ASSUMPTIONS = {
    "daily_active_users": ("Daily active users", "design target; each has a cached home timeline"),
    "peak_home_reads_per_second": ("Home-timeline reads/s at peak", "design target"),
    "average_tweets_per_second": ("Tweets/s on average", "design target; fan-out at the average is quoted below"),
    "peak_tweets_per_second": ("Tweets/s at peak", "design target; Tweet, Fanout and Snowflake are sized for it"),
    "timeline_length": ("Cached ids per home timeline", "`CHIRP_TIMELINE_LENGTH` default"),
    "replication_factor": ("Replication factor for timelines", "assumed: a primary and two replicas per shard"),
    "average_followers": ("Average followers per fanned-out author",
                          "assumed; fan-out inserts/s = tweets/s × this. Celebrity authors (at or above "
                          "`CHIRP_CELEBRITY_THRESHOLD` followers) are pulled at read time, not fanned out"),
    "redis_key_overhead_bytes": ("Redis bytes of overhead per timeline key",
                                 "assumed: key name, dict entry, object header and list header of one timeline"),
    "headroom": ("Load per process, as a share of measured saturation",
                 "configurable (`--headroom`); keeps p99 away from the knee"),
    "redis_node_gib": ("Usable Redis memory per node, GiB", "configurable (`--redis-node-gib`)"),
    "cores_per_node": ("Cores per node, one process per core",
                       "configurable (`--cores-per-node`); a Python process uses one core"),
}


@dataclass(frozen=True)
class Tier:
    name: str
    measured: float | None  # per-process rate, or Redis bytes per entry; None when not measured
    measured_unit: str
    load: float
    load_unit: str
    processes: int | None  # None when not measured, and for Redis, which is sized by memory
    nodes: int | None
    memory_bytes: float | None


@dataclass(frozen=True)
class Plan:
    scale: Scale
    machine: dict = field(default_factory=dict)
    tiers: list[Tier] = field(default_factory=list)

    def tier(self, name: str) -> Tier:
        return next(t for t in self.tiers if t.name == name)


def _measured(value) -> float | None:
    """A positive number, or None for a figure that is missing, null or unusable."""
    usable = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    return value if usable else None


def _ceil(x: float) -> int:
    return math.ceil(round(x, 9))  # float noise must not add a process


def plan(figures: dict, scale: Scale | None = None, machine: dict | None = None) -> Plan:
    s = scale or Scale()
    rss = figures.get("rss_bytes") if isinstance(figures.get("rss_bytes"), dict) else {}
    tiers = []
    for name, figure, service, load, unit in [
        ("Timeline readers", "home_reads_per_second", "timeline", s.peak_home_reads_per_second, "home reads/s"),
        ("Tweet writers", "posts_per_second", "tweet", s.peak_tweets_per_second, "posts/s"),
        ("Fanout workers", "timeline_inserts_per_second", "fanout",
         s.peak_tweets_per_second * s.average_followers, "timeline inserts/s"),
        ("Snowflake", "snowflake_ids_per_second", "snowflake", s.peak_tweets_per_second, "ids/s"),
    ]:
        rate, process_rss = _measured(figures.get(figure)), _measured(rss.get(service))
        processes = _ceil(load / (rate * s.headroom)) if rate else None
        nodes = _ceil(processes / s.cores_per_node) if processes else None
        memory = processes * process_rss if processes and process_rss else None
        tiers.append(Tier(name, rate, unit, load, unit, processes, nodes, memory))
    per_entry = _measured(figures.get("redis_bytes_per_entry"))
    timelines = s.daily_active_users * s.replication_factor
    total = timelines * (s.timeline_length * per_entry + s.redis_key_overhead_bytes) if per_entry else None
    nodes = _ceil(total / (s.redis_node_gib * GIB)) if total else None
    tiers.append(Tier(REDIS, per_entry, "bytes/entry", timelines, "timelines (users × RF)", None, nodes, total))
    return Plan(s, machine if isinstance(machine, dict) else {}, tiers)


def _size(n: float | None) -> str:
    if n is None:
        return NOT_MEASURED
    for unit, factor in (("TiB", TIB), ("GiB", GIB), ("MiB", 1024**2)):
        if n >= factor:
            return f"{n / factor:,.1f} {unit}"
    return f"{n:,.0f} B"


def _number(n: float | None, unit: str = "") -> str:
    if n is None:
        return NOT_MEASURED
    text = f"{n:,.0f}" if n >= 100 or n == int(n) else f"{n:.4g}"
    return f"{text} {unit}".strip()


def describe_machine(machine: dict) -> str:
    labels = {"cpu": "{}", "cores": "{} cores", "memory_gib": "{} GiB of memory", "python": "Python {}"}
    parts = [label.format(machine[key]) for key, label in labels.items() if machine.get(key)]
    return ", ".join(parts) or "a machine the results file does not describe"


def render_markdown(plan: Plan) -> str:
    s, machine = plan.scale, describe_machine(plan.machine)
    lines = ["## Capacity plan", "", f"Per-process figures measured on one machine ({machine}), scaled to the "
             "design's load.", "", "### Assumptions", "", "| assumption | value | source or reason |", "|---|---|---|"]
    lines += [f"| {label} | {_number(getattr(s, name))} | {why} |" for name, (label, why) in ASSUMPTIONS.items()]
    lines += ["", "### Tiers", "", "| tier | measured per process | load at scale | processes | nodes | memory |",
              "|---|---|---|---|---|---|"]
    lines += [f"| {t.name} | {_number(t.measured, t.measured_unit)} | {_number(t.load, t.load_unit)} | "
              f"{'—' if t.name == REDIS else _number(t.processes)} | {_number(t.nodes)} | {_size(t.memory_bytes)} |"
              for t in plan.tiers]
    missing = [t.name for t in plan.tiers if t.measured is None]
    total = sum(t.nodes for t in plan.tiers if t.nodes)
    lines += ["", f"Nodes in all: {total:,}" + (f" for the tiers measured; not sized, for want of a figure: "
                                                 f"{', '.join(missing)}." if missing else "."), "",
              "### What was measured and what is extrapolated", "",
              f"Measured, on one small machine ({machine}): each per-process figure above, for a single process "
              "with its clients and servers on that machine; the Timeline figure is the highest read rate held "
              "with p99 under 200 ms, and the Redis figure is MEMORY USAGE of 800-id timelines divided by 800. "
              "Everything else is extrapolated. Throughput is assumed to grow linearly with processes and nodes, "
              "with no contention in Redis, PostgreSQL or RabbitMQ as they grow. No network hop between machines "
              "was measured, so cross-node latency is not in the p99. Redis replication was not measured: "
              "replicas are counted as full copies, with nothing for replication buffers, fragmentation or "
              f"resharding. Fanout is sized for the peak: {s.peak_tweets_per_second:,} tweets/s × the assumed "
              f"{s.average_followers} followers = {s.peak_tweets_per_second * s.average_followers:,} inserts/s "
              f"({s.average_tweets_per_second * s.average_followers:,} at the average {s.average_tweets_per_second:,}"
              " tweets/s; the queue could absorb peaks, at the cost of staler timelines). Celebrity authors are "
              "pulled at read time, so their tweets cost Timeline reads, not inserts. Tweet is sized for posting "
              "only, not for the hydration calls home reads make to it. Graph, PostgreSQL and RabbitMQ are not "
              "sized. Process memory is one process's resident memory times processes; Redis memory is the "
              "timeline cache alone.", ""]
    return "\n".join(lines)


def plot(plan: Plan, path: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s, redis_tier = plan.scale, plan.tier(REDIS)
    fig, (bars, redis) = plt.subplots(1, 2, figsize=(13, 5), constrained_layout=True)
    names = [t.name.replace(" ", "\n", 1) + ("" if t.nodes else f"\n({NOT_MEASURED})") for t in plan.tiers]
    drawn = bars.bar(range(len(names)), [t.nodes or 0 for t in plan.tiers], color="#4878a8", tick_label=names)
    bars.bar_label(drawn, [f"{t.nodes:,}" if t.nodes else "" for t in plan.tiers])
    sized = [t.nodes for t in plan.tiers if t.nodes]
    logarithmic = bool(sized) and max(sized) > 20 * min(sized)
    bars.set_yscale("log" if logarithmic else "linear")
    bars.set_ylim(bottom=None if logarithmic else 0)
    bars.tick_params(axis="x", labelsize="small")
    bars.set(title=f"Nodes per tier ({s.cores_per_node} cores, {s.redis_node_gib:g} GiB Redis per node)",
             ylabel="nodes (log scale)" if logarithmic else "nodes")
    if redis_tier.memory_bytes:
        design = (s.daily_active_users / 1e6, redis_tier.memory_bytes / TIB)
        redis.plot([0, 2 * design[0]], [0, 2 * design[1]], color="#c44e52")
        redis.plot(*design, "o", color="#c44e52")
        redis.annotate(f"design: {_size(redis_tier.memory_bytes)}, {redis_tier.nodes} nodes", design,
                       textcoords="offset points", xytext=(-10, 10), ha="right")
        per_node = s.redis_node_gib * GIB / TIB
        nodes_axis = redis.secondary_yaxis("right", functions=(lambda tib: tib / per_node, lambda n: n * per_node))
        nodes_axis.set_ylabel(f"Redis nodes of {s.redis_node_gib:g} GiB")
    else:
        redis.text(0.5, 0.5, f"Redis bytes per entry {NOT_MEASURED}", ha="center", transform=redis.transAxes)
    redis.set(title=f"Redis timeline memory (RF {s.replication_factor}, {s.timeline_length} ids each)",
              xlabel="daily active users (millions)", ylabel="memory (TiB)")
    fig.suptitle("Chirp mesh capacity plan at design scale")
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="the benchmark's JSON, e.g. bench/results/latest.json")
    parser.add_argument("--out-dir", type=Path, default=Path("bench/results"))
    parser.add_argument("--headroom", type=float, default=Scale.headroom)
    parser.add_argument("--cores-per-node", type=int, default=Scale.cores_per_node)
    parser.add_argument("--redis-node-gib", type=float, default=Scale.redis_node_gib)
    args = parser.parse_args(argv)
    try:
        scale = Scale(headroom=args.headroom, cores_per_node=args.cores_per_node, redis_node_gib=args.redis_node_gib)
    except ValueError as error:
        parser.error(str(error))
    results = json.loads(args.results.read_text())
    capacity = plan(results.get("figures") or {}, scale, results.get("machine"))
    markdown = render_markdown(capacity)
    print(markdown)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "capacity.md").write_text(markdown)
    plot(capacity, args.out_dir / "capacity.png")


if __name__ == "__main__":
    main()
