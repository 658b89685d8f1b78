"""Turns a benchmark run's results into summary.md and PNG plots, each figure beside its target."""

import math
import statistics
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bench import capacity, notifications, suggestions, telemetry_cost  # noqa: E402
from bench.workloads import lag_ms  # noqa: E402


def _fmt(value, unit: str = "", digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not measured"
    return f"{value:,.{digits}f}{unit}"


def figures(results: dict) -> list[tuple[str, str, str, str]]:
    """(figure, embedded, mesh mode, target) rows."""
    echo = results["echo"]["saturation_per_second"]
    rows = []

    def both(getter, unit="", digits=1):
        return tuple(_fmt(getter(results[name]) if name in results else None, unit, digits) for name in ("embedded", "mesh"))

    def ratio(value, base):
        return value / base if value and base else None

    home = lambda r: r["sweeps"]["home"]  # noqa: E731
    rows.append(("Echo ceiling (same server stack and client), requests/s", _fmt(echo), _fmt(echo), "baseline"))
    rows.append(("Home-timeline throughput, reads/s (p99 < 200 ms)", *both(lambda r: home(r)["saturation_per_second"]), ""))
    rows.append(("Home-timeline throughput / echo ceiling", *both(lambda r: ratio(home(r)["saturation_per_second"], echo), "", 2), "≥ 0.5"))
    rows.append(("Home-timeline p99 at half of saturation", *both(lambda r: home(r)["p99_at_half_saturation_ms"], " ms"), "≤ 50 ms"))
    cost = lambda r, kind: r["sweeps"][kind].get("cpu_ms_per_request_at_half_saturation")  # noqa: E731
    echo_cost = results["echo"].get("cpu_ms_per_request_at_half_saturation")
    rows.append(("CPU per echo request, all processes, at half of saturation", _fmt(echo_cost, " ms", 2), _fmt(echo_cost, " ms", 2), "baseline"))
    for kind, label in (("home", "home read"), ("user", "user-timeline read"), ("post", "post")):
        rows.append((f"CPU per {label}, all processes (services and, in mesh mode, Redis, PostgreSQL, RabbitMQ)",
                     *both(lambda r, kind=kind: cost(r, kind), " ms", 2), ""))  # fmt: skip
    rest = lambda r, key: r.get("rest_home", {}).get(key)  # noqa: E731
    rows.append(("REST home reads through the gateway, reads/s (p99 < 200 ms)", *both(lambda r: rest(r, "rest_saturation_per_second")), ""))
    rows.append(("REST home reads / gRPC home reads, same run", *both(lambda r: rest(r, "ratio"), "", 2), "≥ 0.6"))
    rows.append(("CPU per REST home read, all processes (the gateway included), at half of saturation",
                 *both(lambda r: rest(r, "rest_cpu_ms_per_request"), " ms", 2), ""))  # fmt: skip
    rows.append(("Mix (60/30/10) throughput, requests/s", *both(lambda r: r["sweeps"]["mix"]["saturation_per_second"]), ""))
    rows.append(("User-timeline throughput, reads/s", *both(lambda r: r["sweeps"]["user"]["saturation_per_second"]), ""))
    rows.append(("Post throughput, posts/s", *both(lambda r: r["sweeps"]["post"]["saturation_per_second"]), ""))
    rows.append(("Post p99 at half of saturation", *both(lambda r: r["sweeps"]["post"]["p99_at_half_saturation_ms"], " ms"), "≤ 100 ms"))
    lag = lambda r, p: lag_ms(r["fanout_lag"]["seconds"], p)  # noqa: E731
    rows.append(("Fan-out lag p50, Reed98 posts (post sent → in sampled followers' home timelines), under the mix at half of "
                 "its saturation", *both(lambda r: lag(r, 50), " ms"), ""))  # fmt: skip
    rows.append(("Fan-out lag p99, the same", *both(lambda r: lag(r, 99), " ms"), "≤ 1,000 ms"))
    rows.append(("Timeline inserts/s, a burst of Reed98 posts (bounded by the post rate)", *both(lambda r: r["inserts"]["inserts_per_second"], "", 0), ""))
    mesh = results.get("mesh", {})
    if "redis_raw" in mesh:
        raw = mesh["redis_raw"]["saturation_per_second"]
        rows.append(("Raw Redis reads of one timeline (LRANGE), reads/s", "", _fmt(raw), "baseline"))
        rows.append(("Home-timeline throughput / raw Redis reads", "", _fmt(ratio(home(mesh)["saturation_per_second"], raw), "", 3), ""))
    rows += _power_law_rows(mesh.get("power_law"), results["echo"].get("at_pull_rate"))
    rows += suggestions.report_rows(mesh.get("suggestions"))
    rows.append(("Snowflake ids/s, one process (no RPC)", _fmt(results["snowflake_ids_per_second"], "", 0), "", "≥ 10,000"))
    memory = results["redis_memory"]
    rows.append(("Redis bytes per timeline entry (800 entries, MEMORY USAGE)", "", f"{memory['chirp_bytes_per_entry']:.2f} "
                 f"(common layout {memory['common_bytes_per_entry']:.2f})", "≤ 16"))  # fmt: skip
    rows += _trending_rows(results.get("trending"))
    rows += notifications.report_rows(results.get("notifications"))
    rows += telemetry_cost.report_rows(results.get("telemetry"))
    for name in ("embedded", "mesh"):
        if name in results:
            rss = ", ".join(f"{svc} {b / 2**20:.0f} MiB" for svc, b in sorted(results[name]["rss_bytes"].items()))
            rows.append((f"Resident memory ({name}) after the run", rss if name == "embedded" else "", rss if name == "mesh" else "", ""))
    rows += _search_rows(results.get("search"))
    return rows


def _search_rows(search: dict | None) -> list[tuple[str, str, str, str]]:
    if not search:
        return [("Search p99 and index lag", "not measured", "not measured", "")]
    index, queries, lag = search["index"], search["queries"], search["searchable_after_post"]
    return [
        (f"Search: indexing throughput, tweets/s ({index['tweets']:,} generated tweets, through the index adapter)",
         _fmt(index["tweets_per_second"], "", 0), "", "≥ 5,000"),
        ("Search: index bytes per tweet", _fmt(index["bytes_per_tweet"]), "", ""),
        (f"Search: query p99 at {queries['rate']:g} queries/s on that index (adapter, 8 query kinds)",
         _fmt(queries["latency_ms"]["p99"], " ms", 2), "", "≤ 20 ms"),
        (f"Search: post → found by every replica ({lag['replicas']}), p50 / p99", "",
         f"{_fmt(lag['p50_ms'], ' ms')} / {_fmt(lag['p99_ms'], ' ms')}", "p99 ≤ 1,000 ms"),
    ]  # fmt: skip


def _trending_rows(t: dict | None) -> list[tuple[str, str, str, str]]:
    if not t:
        return []
    load = f"{t['tracked_tags']:,} tags, {t['minutes']} min at {t['rate']:,} tweets/s"
    return [
        (f"Trending refresh of the 60-minute window, Redis store ({load}): wall / CPU here / CPU in Redis", "",
         f"{t['refresh_wall_ms']:.0f} ms / {t['refresh_cpu_ms']:.0f} ms / {t['refresh_redis_cpu_ms']:.0f} ms", "every ≤ 60 s"),
        ("Trending Redis bytes per tracked tag (MEMORY USAGE of every key), per tweet", "",
         f"{t['redis_bytes_per_tag']:,.0f} ({t['redis_bytes_per_tweet']:.0f} per tweet)", ""),
        ("Trending store adds, tweets/s from one process", "", _fmt(t["adds_per_second"], "", 0), "≥ 1,000"),
    ]  # fmt: skip


def _graph_row(label: str, graph: dict) -> tuple[str, str, str, str]:
    top = ", ".join(f"{n:,}" for n in graph["top_follower_counts"][:3])
    return (label, "", f"{graph['users']:,} users, {graph['follows']:,} follows; {graph['above_threshold']} accounts at or above "
                       f"the {graph['threshold']:,}-follower threshold (most followed: {top})", "")  # fmt: skip


def _pull_row(pull: dict, echo: dict | None, graph: str) -> tuple[str, str, str, str]:
    ours_p99, naive_p99 = pull["ours"]["latency_ms"]["p99"], pull["pull"]["latency_ms"]["p99"]
    label = (f"Home p99 at {pull['rate']}/s, {graph}, {pull['readers']} readers following 200+ "
             f"({pull.get('celebrities_followed_mean', 0):.1f} above the threshold on average), {pull['tweets']:,} tweets: ours / pull query")  # fmt: skip
    floor = ""
    if "echo" in pull:  # the floor taken in turns with ours and the pull query; the run's first one beside it
        floor = f"; echo p99 at that rate, in turns with both {pull['echo']['latency_ms']['p99']:.1f} ms"
        floor += f" (ours ÷ echo = {ours_p99 / pull['echo']['latency_ms']['p99']:.2f})"
    if echo:
        floor += f"; echo p99 at that rate at the run's start {echo['latency_ms']['p99']:.1f} ms"
    figure = f"{ours_p99:.1f} ms / {naive_p99:.1f} ms (pull ÷ ours = {naive_p99 / ours_p99:.2f}{floor})"
    return (label, "", figure, "ours ≥ 10× lower, or ≤ 1.5× echo")


def _power_law_rows(power: dict | None, echo: dict | None = None) -> list[tuple[str, str, str, str]]:
    if not power:
        return []
    rows = [_graph_row("Generated power-law graph (mesh mode, bulk-copied)", power["graph"])]
    rows.append(_pull_row(power["pull"], echo, "power-law graph"))
    if "pull_large" in power:
        rows.append(_pull_row(power["pull_large"], echo, "power-law graph"))
    if "realistic" in power:
        realistic = power["realistic"]
        rows.append(_graph_row(f"Second graph, realistic celebrity share (Zipf exponent {realistic['exponent']})", realistic["graph"]))
        rows.append(_pull_row(realistic, echo, "realistic graph"))
    if "big_fanout" in power:
        big = power["big_fanout"]
        span = f"{big['follower_counts'][0]:,}–{big['follower_counts'][-1]:,} followers"
        lags = big["lag_seconds"]
        label = f"Fan-out lag p50 / max, the {big['authors']} largest accounts under the threshold ({span})"
        rows.append((f"{label}, a post from each, about one a second",
                     "", f"{_fmt(lag_ms(lags, 50), ' ms', 0)} / {_fmt(lag_ms(lags, 100), ' ms', 0)}", "p99 ≤ 1,000 ms"))  # fmt: skip
        rows.append(("Timeline inserts/s, one post from each of them at once", "", _fmt(big["inserts"]["inserts_per_second"], "", 0), "≥ 50,000"))
    if "celebrity_lag_seconds" in power:
        lags = power["celebrity_lag_seconds"]
        rows.append(("Celebrity post → in a follower's home read (pull lane, through the API), p50 / max", "",
                     f"{_fmt(lag_ms(lags, 50), ' ms', 0)} / {_fmt(lag_ms(lags, 100), ' ms', 0)}", ""))  # fmt: skip
    return rows


def _graph_source(results: dict) -> str:
    sources = {results.get(name, {}).get("graph") for name in ("embedded", "mesh")} - {None}
    return "; ".join(sorted(sources)) or "not recorded"


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        "# Chirp mesh benchmark",
        "",
        f"Run {results['started']} ({results['plan']} plan, {results['seconds']:.0f} s) on {m['host']}: {m['cpu']}, "
        f"{m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, {m['os']}. The load generator, the "
        "services, PostgreSQL, Redis and RabbitMQ all share this machine.",
        "",
        f"Graph: {_graph_source(results)}.",
        "",
        "| Figure | Embedded | Mesh mode | Target |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in figures(results)),
        "",
        "Throughput is the achieved rate at the highest offered rate (doubling from 25/s; 250/s for echo and Redis; "
        "then two tries between the last rate that passed and the first that failed, each at their geometric mean) "
        "whose p99 stayed under 200 ms with at most 1% errors; latency runs from each request's intended start "
        "(open loop, exponential arrivals), so a backlog counts. Plots: `latency.png`, `fanout_lag.png`, `capacity.png`.",
    ]
    return "\n".join(lines) + "\n"


def plot_latency(results: dict, path: Path) -> None:
    sweeps = {"echo": results["echo"]}
    for name in ("embedded", "mesh"):
        for kind, sweep in results.get(name, {}).get("sweeps", {}).items():
            sweeps[f"{name} {kind}"] = sweep
    if "redis_raw" in results.get("mesh", {}):
        sweeps["raw Redis LRANGE"] = results["mesh"]["redis_raw"]
    figure, axes = plt.subplots(1, 2, figsize=(13, 5))
    for (name, sweep), marker in zip(sweeps.items(), "os^vD<>ph*x+"):
        steps = sorted(sweep["steps"], key=lambda s: s["offered_per_second"])
        for axis, key in zip(axes, ("p50", "p99")):
            axis.plot([s["offered_per_second"] for s in steps], [s["latency_ms"][key] for s in steps], marker=marker, label=name)
    for axis, key in zip(axes, ("p50", "p99")):
        axis.set(xscale="log", yscale="log", xlabel="offered load (requests/s)", ylabel=f"{key} latency (ms)",
                 title=f"{key} latency against offered load")  # fmt: skip
        axis.axhline(200, color="grey", linestyle=":", linewidth=1)
        axis.grid(True, which="both", alpha=0.3)
    axes[1].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_lag(results: dict, path: Path) -> None:
    series = {f"{name}, Reed98, under the mix": results.get(name, {}).get("fanout_lag", {}).get("seconds", []) for name in ("embedded", "mesh")}
    power = results.get("mesh", {}).get("power_law", {})
    series["mesh, largest accounts under the threshold"] = power.get("big_fanout", {}).get("lag_seconds", [])
    series["mesh, celebrity posts (pull lane)"] = power.get("celebrity_lag_seconds", [])
    figure, axis = plt.subplots(figsize=(8, 4.5))
    for name, values in series.items():
        lags = sorted(x * 1000 for x in values if x is not None)
        if lags:
            axis.plot(lags, [(i + 1) / len(lags) for i in range(len(lags))], marker=".", label=f"{name} (median {statistics.median(lags):.0f} ms)")
    axis.axvline(1000, color="grey", linestyle=":", linewidth=1)
    axis.set(xscale="log", xlabel="post sent → visible in a follower's home timeline (ms)", ylabel="fraction of samples",
             title="Fan-out lag, cumulative distribution")  # fmt: skip
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def per_process(results: dict) -> dict:
    """The figures the capacity plan scales, per process, from mesh mode (which ran every service at once
    on this machine, so each is a floor): throughput divided by the replicas that served it."""
    mesh = results.get("mesh", {})
    sweeps = mesh.get("sweeps", {})
    replicas = lambda service: max(1, sum(1 for name in mesh.get("rss_bytes", {}) if name.startswith(service + "@")))  # noqa: E731
    saturation = lambda kind: sweeps.get(kind, {}).get("saturation_per_second")  # noqa: E731
    rss: dict[str, int] = {}
    for name, size in sorted(mesh.get("rss_bytes", {}).items()):
        rss.setdefault(name.split("@")[0], size)
    big = mesh.get("power_law", {}).get("big_fanout", {})  # fan-out's capacity, where measured; else the Reed98 burst
    inserts = big.get("inserts", mesh.get("inserts", {})).get("inserts_per_second")
    return {
        "home_reads_per_second": saturation("home") and saturation("home") / replicas("timeline"),
        "posts_per_second": saturation("post"),
        "timeline_inserts_per_second": inserts and inserts / replicas("fanout"),
        "snowflake_ids_per_second": results.get("snowflake_ids_per_second"),
        "redis_bytes_per_entry": results.get("redis_memory", {}).get("chirp_bytes_per_entry"),
        "rss_bytes": rss,
    }


def write(results: dict, out: Path) -> None:
    results["figures"] = per_process(results)
    capacity_plan = capacity.plan(results["figures"], capacity.Scale(), results["machine"])
    (out / "summary.md").write_text(markdown(results))
    (out / "capacity.md").write_text(capacity.render_markdown(capacity_plan))
    plot_latency(results, out / "latency.png")
    plot_lag(results, out / "fanout_lag.png")
    capacity.plot(capacity_plan, out / "capacity.png")
