"""Soak: `mizan run` over many generated articles, in bounded memory.

Articles are generated from templates written for this benchmark (Arabic and English,
invented companies and figures, about 120 words each), so any size can be made
offline. The run's main process and its workers are sampled for RSS every 0.2 s; the
script prints the throughput and the peak memory, and a second, incremental run over the
same input to show it skips everything.

    python bench/soak.py --articles 50000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMPANIES_AR = ["شركة النخيل للاتصالات", "مجموعة الواحة القابضة", "شركة الصقر للطاقة", "مصرف الرمال", "شركة المرسى للشحن"]
COMPANIES_EN = ["Harbor Lane Systems", "Northgate Foods", "Bluepeak Energy", "Cobalt River Bank", "Meridian Freight"]
AR = [
    "أعلنت {c} أن صافي أرباحها في الربع {q} من عام {y} بلغ {v} مليون ريال سعودي، مقارنة بنحو {w} مليون ريال في الفترة نفسها من العام السابق.",
    "وقال الرئيس التنفيذي للشركة إن الإيرادات ارتفعت بنسبة {p}% لتصل إلى {r} مليار ريال، مدفوعة بنمو المبيعات في الأسواق الخارجية.",
    "وتعتزم {c} إنفاق ما يقارب {s} مليون دولار سنويا على توسعة شبكتها خلال السنوات الثلاث المقبلة.",
    "وأشار محللون إلى أن حصة الشركة في السوق المحلية تبلغ نحو {m}%، وأن ديونها لا تتجاوز {d} مليار ريال.",
    "وتراجعت أسهم الشركة {x}% في تداولات اليوم قبل أن تستعيد جزءا من خسائرها في نهاية الجلسة.",
]
EN = [
    "{c} said on Tuesday that net profit for the {qe} quarter of {y} rose to {v} mln dlrs from {w} mln dlrs a year earlier.",
    "Revenue grew {p} pct to {r} billion dlrs, the company said, helped by strong demand from overseas customers.",
    "The company plans to spend about {s} mln dlrs a year on new plants over the next three years, its chief executive told reporters.",
    "Analysts estimate its share of the domestic market at roughly {m} pct, with debt of no more than {d} billion dlrs.",
    "Its shares fell {x} pct in early trading before recovering some of the loss by the close.",
]
QUARTERS = [("الأول", "first"), ("الثاني", "second"), ("الثالث", "third"), ("الرابع", "fourth")]


def article(n: int, rng: random.Random) -> dict:
    lang = "ar" if n % 2 else "en"
    q = rng.choice(QUARTERS)
    values = dict(q=q[0], qe=q[1], y=rng.randint(2015, 2025), v=rng.randint(20, 900), w=rng.randint(20, 900),
                  p=round(rng.uniform(1, 30), 1), r=round(rng.uniform(1, 40), 1), s=rng.randint(5, 500),
                  m=rng.randint(5, 60), d=round(rng.uniform(0.5, 9), 1), x=round(rng.uniform(0.5, 8), 1))
    company = rng.choice(COMPANIES_AR if lang == "ar" else COMPANIES_EN)
    lines = [t.format(c=company, **values) for t in (AR if lang == "ar" else EN)]
    rng.shuffle(lines[1:])
    return {"id": f"soak-{n:06d}", "lang": lang, "title": lines[0][:80], "text": "\n".join(lines),
            "date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "outlet": f"Outlet {n % 40}"}


def watch(proc: subprocess.Popen, peaks: dict, samples: list) -> None:
    import psutil

    parent = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            rss = parent.memory_info().rss
            samples.append((time.perf_counter(), rss))
            peaks["main"] = max(peaks["main"], rss)
            for child in parent.children(recursive=True):
                peaks["worker"] = max(peaks["worker"], child.memory_info().rss)
        except psutil.Error:
            pass
        time.sleep(0.2)


def phase_peaks(err: str, samples: list, ended: float) -> dict[str, float]:
    """Peak RSS of the main process in each phase of the run (MB). The summary line gives
    each phase's seconds; phases are laid end to end backwards from the process's exit,
    since the store is the last thing a run does (interpreter start-up counts as "read")."""
    found = re.search(r" in [\d.]+ s \((.*)\)\s*$", err.strip().splitlines()[-1] if err.strip() else "")
    if not found:
        return {}
    seconds = [(k, float(v)) for k, v in (item.rsplit(" ", 1) for item in found.group(1).split(", "))]
    peaks, end = {}, ended
    for name, length in reversed(seconds):
        start = end - length if name != seconds[0][0] else float("-inf")
        peaks[name] = max((rss for t, rss in samples if start <= t <= end), default=0) / 2**20
        end = start
    return dict(reversed(list(peaks.items())))


def timed_run(source: Path, out: Path, workers: int) -> tuple[float, dict, dict]:
    peaks = {"main": 0, "worker": 0}
    samples: list = []
    cmd = [sys.executable, "-m", "pipeline", "run", str(source), "--out", str(out), "--workers", str(workers), "--no-progress"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    thread = threading.Thread(target=watch, args=(proc, peaks, samples), daemon=True)
    thread.start()
    _, err = proc.communicate()
    ended = time.perf_counter()
    thread.join()
    peaks["phases"] = phase_peaks(err, samples, ended)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"run failed: {err.strip().splitlines()[-1] if err.strip() else proc.returncode}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return time.perf_counter() - started, peaks, manifest["counts"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", help="keep the output folder here")
    args = parser.parse_args()
    rng = random.Random(7)
    tmp = Path(tempfile.mkdtemp(prefix="mizan-soak-"))
    source = tmp / "articles.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for n in range(args.articles):
            handle.write(json.dumps(article(n, rng), ensure_ascii=False) + "\n")
    out = Path(args.keep) if args.keep else tmp / "out"
    seconds, peaks, counts = timed_run(source, out, args.workers)
    again, peaks2, counts2 = timed_run(source, out, args.workers)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"| articles | workers | first run | articles/s | claims | peak RSS main | peak RSS per worker | re-run (all skipped) | output size |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {counts['articles']} | {args.workers} | {seconds:.0f} s | {counts['articles'] / seconds:.0f} | {counts['claims']} "
          f"| {peaks['main'] / 2**20:.0f} MB | {peaks['worker'] / 2**20:.0f} MB | {again:.0f} s, {counts2['skipped']} skipped, "
          f"peak {peaks2['main'] / 2**20:.0f} MB | {size / 2**20:.0f} MB |")
    for label, p in (("first run", peaks), ("re-run", peaks2)):
        if p["phases"]:
            print(f"\npeak RSS of the main process by phase, {label}: "
                  + ", ".join(f"{k} {v:.0f} MB" for k, v in p["phases"].items()))
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
