"""The search benchmark: indexing throughput, index bytes per tweet, query p99 on a large index, and
how soon a post is searchable in mesh mode.

The large index is built straight through the index adapter (TantivyIndex,
the same batched delete-then-add commits the service makes) from generated
text (bench/search_corpus.py), then queried open-loop at 100 queries/s
through the same adapter. Searchable-after-post starts mesh mode (both
Search replicas) and times each post until every replica finds it.

    .venv/bin/python -m bench.search [--quick] [--tweets N]
"""

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from bench import loadgen
from bench.progress import log
from bench.search_corpus import Corpus
from bench.search_probe import searchable_after_post
from services.search.adapters.tantivy_index import TantivyIndex
from services.search.domain import IndexedTweet, Order
from services.search.query import parse

PLANS = {
    "standard": {"tweets": 1_000_000, "batch": 10_000, "query_rate": 100, "query_seconds": 10.0, "probes": 60},
    "quick": {"tweets": 100_000, "batch": 10_000, "query_rate": 100, "query_seconds": 3.0, "probes": 15},
}


async def build(directory: Path, corpus: Corpus, batch: int) -> dict:
    index, writing, made = TantivyIndex(directory), 0.0, 0
    started = time.monotonic()
    for first in range(0, corpus.total, batch):
        tweets = [IndexedTweet.of(*t) for t in corpus.chunk(first, min(batch, corpus.total - first))]
        began = time.monotonic()
        await index.write(tweets)
        writing += time.monotonic() - began
        made += len(tweets)
        if made % (batch * 20) == 0:
            log(f"search: indexed {made:,} generated tweets ({made / writing:,.0f}/s in the writer)")
    index.close()  # waits for merges, so the size is the settled one
    size = sum(f.stat().st_size for f in directory.iterdir() if f.is_file())
    return {"tweets": made, "tweets_per_second": round(made / writing), "seconds_writing": round(writing, 1),
            "seconds_with_generation": round(time.monotonic() - started, 1), "index_bytes": size,
            "bytes_per_tweet": round(size / made, 1)}  # fmt: skip


def queries(corpus: Corpus, sample: list[str]) -> dict[str, tuple[str, Order]]:
    """One query of each kind, by label; words of middling frequency, as people search."""
    w = corpus.words
    pair = sample[0].split()[2:4]
    return {
        "word": (w[40], Order.RECENCY), "two words": (f"{w[3]} {w[250]}", Order.RECENCY),
        "phrase": (f'"{pair[0]} {pair[1]}"', Order.RECENCY), "hashtag": (f"#{w[7]}", Order.RECENCY),
        "exclusion": (f"{w[90]} -{w[2]}", Order.RECENCY), "since": (f"{w[60]} since:{time.strftime('%Y-%m-%d', time.gmtime(time.time() - 7 * 86400))}", Order.RECENCY),
        "relevance": (f"{w[12]} {w[400]}", Order.RELEVANCE), "common word": (w[0], Order.RECENCY),
    }  # fmt: skip


async def query_latency(directory: Path, corpus: Corpus, sample: list[str], rate: float, seconds: float) -> dict:
    index = TantivyIndex(directory)
    kinds = {label: (parse(text), order, text) for label, (text, order) in queries(corpus, sample).items()}
    labels = sorted(kinds)

    def pick(rng):
        label = rng.choice(labels)
        query, order, _ = kinds[label]
        return label, lambda: index.search(query, order, None, 21)  # a page of 20, and one more to know if more exist

    try:
        hits = {label: len(await index.search(q, o, None, 21)) for label, (q, o, _) in kinds.items()}
        step = await loadgen.run_step(rate, seconds, pick)
    finally:
        index.close()
    summary = step.summary()
    return {"rate": rate, "achieved": summary["achieved_per_second"], "latency_ms": summary["latency_ms"],
            "by_kind_ms": summary["by_label_ms"], "queries": {k: v[2] for k, v in kinds.items()}, "hits": hits,
            "errors": summary["errors"]}  # fmt: skip


async def run(workdir: Path, plan_name: str = "quick", tweets: int | None = None) -> dict:
    plan = {**PLANS[plan_name], **({"tweets": tweets} if tweets else {})}
    corpus = Corpus(plan["tweets"])
    sample = [text for _, _, text in Corpus(plan["tweets"], seed=8).chunk(0, 10)]
    directory = workdir / "search-bench-index"
    log(f"search: building an index of {plan['tweets']:,} generated tweets through the index adapter")
    result = {"index": await build(directory, corpus, plan["batch"])}
    log(f"search: {result['index']['tweets_per_second']:,} tweets/s, {result['index']['bytes_per_tweet']} bytes a tweet; querying")
    result["queries"] = await query_latency(directory, corpus, sample, plan["query_rate"], plan["query_seconds"])
    log(f"search: query p99 {result['queries']['latency_ms']['p99']} ms at {plan['query_rate']}/s; mesh mode next")
    result["searchable_after_post"] = await searchable_after_post(workdir, plan["probes"])
    log(f"search: searchable after post p99 {result['searchable_after_post']['p99_ms']} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{PLANS['quick']['tweets']:,} tweets instead of {PLANS['standard']['tweets']:,}")
    parser.add_argument("--tweets", type=int, help="tweets in the generated index")
    parser.add_argument("--out", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chirp-search-bench-") as scratch:
        result = asyncio.run(run(Path(scratch), "quick" if args.quick else "standard", args.tweets))
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
