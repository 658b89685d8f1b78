import dataclasses
import json

import pytest

from bench.capacity import ASSUMPTIONS, REDIS, Scale, main, plan, plot, render_markdown

MIB = 1024**2
FIGURES = {
    "home_reads_per_second": 1000,
    "posts_per_second": 700,
    "timeline_inserts_per_second": 56_000,
    "snowflake_ids_per_second": 14_000,
    "redis_bytes_per_entry": 16,
    "rss_bytes": {
        "timeline": 100 * MIB, "fanout": 80 * MIB, "tweet": 90 * MIB, "graph": 75 * MIB, "snowflake": 50 * MIB,
    },
}
MACHINE = {"cpu": "Test CPU 3000", "cores": 4, "memory_gib": 8, "python": "3.11.2"}


def test_each_tier_needs_its_load_over_the_rate_it_may_run_at():
    capacity = plan(FIGURES)  # headroom 0.5, 16 cores per node
    sized = {t.name: (t.processes, t.nodes) for t in capacity.tiers}
    assert sized["Timeline readers"] == (650, 41)  # ceil(325,000 / 500), ceil(650 / 16)
    assert sized["Tweet writers"] == (40, 3)  # 14,000 / 350
    assert sized["Fanout workers"] == (100, 7)  # 14,000 × 200 / 28,000
    assert sized["Snowflake"] == (2, 1)  # 14,000 / 7,000


def test_process_memory_is_processes_times_resident_memory():
    assert plan(FIGURES).tier("Timeline readers").memory_bytes == 650 * 100 * MIB


def test_redis_memory_holds_every_users_timeline_on_every_replica():
    redis = plan(FIGURES).tier(REDIS)
    total = 200_000_000 * (800 * 16 + 90) * 3
    assert redis.memory_bytes == total
    assert redis.nodes == 113  # ceil(7.734e12 / 64 GiB) = ceil(112.5)
    assert redis.processes is None


def test_headroom_cores_and_redis_node_size_are_configurable():
    capacity = plan(FIGURES, Scale(headroom=1.0, cores_per_node=8, redis_node_gib=128))
    assert (capacity.tier("Timeline readers").processes, capacity.tier("Timeline readers").nodes) == (325, 41)
    assert capacity.tier(REDIS).nodes == 57  # ceil(7.734e12 / 128 GiB)


@pytest.mark.parametrize("scale", [{"headroom": 0}, {"headroom": 1.5}, {"cores_per_node": 0}, {"redis_node_gib": 0}])
def test_a_scale_that_cannot_be_sized_is_refused(scale):
    with pytest.raises(ValueError):
        Scale(**scale)


@pytest.mark.parametrize("figures", [{}, dict.fromkeys(FIGURES), {"home_reads_per_second": 0, "rss_bytes": 5},
                                     {"home_reads_per_second": "fast", "redis_bytes_per_entry": True}])
def test_missing_or_unusable_figures_are_reported_as_not_measured(figures, tmp_path):
    capacity = plan(figures)
    assert all(t.measured is None and t.nodes is None and t.memory_bytes is None for t in capacity.tiers)
    markdown = render_markdown(capacity)
    assert "| Timeline readers | not measured | 325,000 home reads/s | not measured | not measured | not measured |" \
        in markdown
    assert f"not sized, for want of a figure: Timeline readers, Tweet writers, Fanout workers, Snowflake, {REDIS}." \
        in markdown
    plot(capacity, tmp_path / "capacity.png")


def test_a_rate_without_its_resident_memory_sizes_processes_but_not_memory():
    tier = plan({"home_reads_per_second": 1000}).tier("Timeline readers")
    assert (tier.processes, tier.memory_bytes) == (650, None)
    assert "| 650 | 41 | not measured |" in render_markdown(plan({"home_reads_per_second": 1000}))


def test_the_markdown_states_every_assumption_with_its_value_and_names_the_machine():
    markdown = render_markdown(plan(FIGURES, machine=MACHINE))
    assert markdown.startswith("## Capacity plan\n")
    assert set(ASSUMPTIONS) == {f.name for f in dataclasses.fields(Scale)}
    for label, _ in ASSUMPTIONS.values():
        assert f"| {label} |" in markdown
    for value in ("200,000,000", "325,000", "4,600", "14,000", "| 800 |", "| 3 |", "| 200 |", "| 90 |", "| 0.5 |",
                  "| 64 |", "| 16 |"):
        assert value in markdown
    assert "Test CPU 3000, 4 cores, 8 GiB of memory, Python 3.11.2" in markdown
    assert "| Timeline readers | 1,000 home reads/s | 325,000 home reads/s | 650 | 41 | 63.5 GiB |" in markdown
    assert "Nodes in all: 165." in markdown  # 41 + 3 + 7 + 1 + 113


def test_plot_writes_a_png(tmp_path):
    path = tmp_path / "capacity.png"
    plot(plan(FIGURES, machine=MACHINE), path)
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert path.stat().st_size > 10_000


def test_the_command_prints_the_plan_and_writes_markdown_and_png(tmp_path, capsys):
    results = tmp_path / "latest.json"
    results.write_text(json.dumps({"machine": MACHINE, "figures": FIGURES}))
    main([str(results), "--out-dir", str(tmp_path / "out"), "--headroom", "0.25", "--redis-node-gib", "32"])
    printed = capsys.readouterr().out
    assert (tmp_path / "out" / "capacity.md").read_text() + "\n" == printed
    assert "| Timeline readers | 1,000 home reads/s | 325,000 home reads/s | 1,300 | 82 |" in printed
    assert (tmp_path / "out" / "capacity.png").stat().st_size > 0
    assert f"| {REDIS} | 16 bytes/entry | 600,000,000 timelines (users × RF) | — | 226 |" in printed  # 32 GiB nodes
