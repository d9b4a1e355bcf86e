"""Throughput of the amount grammar, in one process, against Duckling on the same input.

Inputs: every peer-suite case (../shared/peer-suites) and every sentence of the
dev articles (../shared/corpora-real/dev), both languages. Mizan runs through
its in-process API (`find_mentions`); Duckling runs through pyduckling-native-phihos
(the Duckling engine in a Python wheel) when it is installed, on the dimensions
that matter here (number, ordinal, amount-of-money). Figures: texts per second,
best of three passes after one warm-up pass.

    python bench/mentions.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.grammar import find_mentions  # noqa: E402

SHARED = ROOT.parent / "shared"


def peer_texts() -> list[tuple[str, str]]:
    out = []
    for path in sorted((SHARED / "peer-suites").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            out.append((case["lang"], case["text"]))
    return out


def news_sentences() -> list[tuple[str, str]]:
    out = []
    for path in sorted((SHARED / "corpora-real" / "dev").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            article = json.loads(line)
            for sentence in re.split(r"(?<=[.!?\u061F])\s+|\n+", article["text"]):
                if sentence.strip():
                    out.append((article["lang"], sentence.strip()))
    return out


def best_rate(run, texts, repeat: int) -> float:
    run(texts)  # warm up: lexicons, tables, Duckling's rules
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def mizan(texts):
    for lang, text in texts:
        find_mentions(text, lang)


def duckling_runner():
    try:
        import duckling
    except ImportError:
        return None
    zones = duckling.load_time_zones("/usr/share/zoneinfo")
    ref = duckling.parse_ref_time(zones, "UTC", 0)
    contexts = {}
    for lang in ("ar", "en"):
        code = duckling.parse_lang(lang.upper())
        contexts[lang] = duckling.Context(ref, duckling.default_locale_lang(code))
    dims = duckling.parse_dimensions(["number", "ordinal", "amount-of-money"])

    def run(texts):
        for lang, text in texts:
            duckling.parse(text, contexts[lang], dims, False)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not SHARED.exists():
        sys.exit(f"{SHARED} is not here: the benchmark reads the peer suites and dev articles from it")
    inputs = {"peer-suite cases": peer_texts(), "news sentences (dev)": news_sentences()}
    duck = duckling_runner()
    print(f"{'input':24s} {'texts':>7s} {'Mizan texts/s':>14s} {'Duckling texts/s':>17s} {'ratio':>6s}")
    for name, texts in inputs.items():
        ours = best_rate(mizan, texts, args.repeat)
        theirs = best_rate(duck, texts, args.repeat) if duck else None
        ratio = f"{ours / theirs:5.1f}x" if theirs else "  n/a"
        print(f"{name:24s} {len(texts):7d} {ours:14.0f} {theirs or 0:17.0f} {ratio:>6s}")
    if duck is None:
        print("Duckling not installed: pip install pyduckling-native-phihos")


if __name__ == "__main__":
    main()
