"""Throughput of the whole extraction, against spaCy's blank tokenizers on the same text.

Input: the real dev articles (../shared/corpora-real/dev/*.jsonl), ingested once as
`mizan extract` ingests them, then cycled to about `--articles` articles. Mizan runs
`Pipeline.process` on each (amounts, entities, claims: all of `mizan extract` but the
JSON writing); spaCy runs `spacy.blank(lang).make_doc` over the same title and text,
tokenising only. Figures: articles per CPU second of this one process (CPU time, so that
other jobs on a shared machine do not skew the ratio), best of `--repeat` timed passes
after a warm-up pass over the distinct articles, and the peak resident memory.

    python bench/extract.py [--articles 2000] [--repeat 3] [--lang ar|en|all]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from pipeline.ingest import read_inputs  # noqa: E402
from pipeline.models import Article  # noqa: E402
from pipeline.stages import Pipeline  # noqa: E402

SHARED = ROOT.parent / "shared"
DEV = SHARED / "corpora-real" / "dev"


def dev_articles() -> list[Article]:
    """The dev articles as ingest delivers them (language detected, hash filled in)."""
    return [item.article for item in read_inputs(sorted(DEV.glob("*.jsonl"))) if item.article is not None]


def best_seconds(run, items, repeat: int) -> float:
    """The fastest of `repeat` passes, in CPU seconds of this process."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run(items)
        best = min(best, time.process_time() - start)
    return best


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles per timed pass (the dev set, cycled)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best one counts")
    parser.add_argument("--lang", choices=("ar", "en", "all"), default="all")
    args = parser.parse_args()
    if not DEV.exists():
        sys.exit(f"{DEV} is not here: the benchmark reads the real dev articles from it")
    articles = dev_articles()
    langs = ("ar", "en") if args.lang == "all" else (args.lang,)
    pipeline = Pipeline()
    tokenizers = {lang: spacy.blank(lang) for lang in langs}
    for lang in langs:
        pipeline.builder(lang)  # lexicons, gazetteer and sentencizer load here, not in a timed pass
    rss_before = peak_rss_mb()

    def extract(items: list[Article]) -> None:
        for article in items:
            pipeline.process(article)

    def tokenize(items: list[Article]) -> None:
        for article in items:
            tokenizers[article.lang].make_doc(f"{article.title}\n{article.text}")

    print(f"{len(articles)} dev articles; {platform.python_implementation()} {platform.python_version()}, "
          f"{cpu_model()}, {os.cpu_count()} cores (one used)")
    print(f"{'input':6s} {'articles':>8s} {'chars/art':>9s} {'claims':>7s} {'Mizan art/s':>12s} {'spaCy tok art/s':>16s} {'Mizan/spaCy':>11s}")
    totals = {"n": 0, "ours": 0.0, "theirs": 0.0}
    for lang in langs:
        distinct = [a for a in articles if a.lang == lang]
        if not distinct:
            continue
        share = round(args.articles * len(distinct) / len(articles)) if args.lang == "all" else args.articles
        items = list(islice(cycle(distinct), max(share, 1)))
        claims = sum(len(pipeline.process(a).claims) for a in distinct)  # warm-up: lexicons, spaCy pipes
        tokenize(distinct)
        ours = best_seconds(extract, items, args.repeat)
        theirs = best_seconds(tokenize, items, args.repeat)
        chars = sum(len(a.title) + len(a.text) for a in distinct) / len(distinct)
        print(f"{lang:6s} {len(items):8d} {chars:9.0f} {claims:7d} {len(items) / ours:12.0f} {len(items) / theirs:16.0f} {theirs / ours:10.2f}x")
        totals["n"] += len(items)
        totals["ours"] += ours
        totals["theirs"] += theirs
    if len(langs) > 1 and totals["n"]:
        n = totals["n"]
        print(f"{'both':6s} {n:8d} {'':9s} {'':7s} {n / totals['ours']:12.0f} {n / totals['theirs']:16.0f} {totals['theirs'] / totals['ours']:10.2f}x")
    peak = peak_rss_mb()
    verdict = "under" if peak < 1024 else "OVER"
    print(f"peak RSS {peak:.0f} MB ({verdict} the 1 GB budget; {rss_before:.0f} MB after loading lexicons and tokenizers)")


if __name__ == "__main__":
    main()
