"""Every fuzz target (fuzz/*_target.py) for a short, bounded run: a crash fails the test.

Each target runs in its own process, as `python fuzz/<name>_target.py`, on a copy of
its seeds (fuzz/seeds/<name>/, when there are any), so that the inputs libFuzzer adds
to its corpus never land in the repository. libFuzzer's seed is fixed: the same code
gets the same run. Skipped where atheris cannot be imported. Long runs: fuzz/README.md.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from helpers import ROOT

pytest.importorskip("atheris", reason="atheris is not installed (pip install atheris)")

TARGETS = sorted((ROOT / "fuzz").glob("*_target.py"))
SHORT_RUN = ["-runs=2000", "-max_total_time=10", "-max_len=4096", "-seed=1", "-timeout=30"]


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS, ids=lambda path: path.stem)
def test_fuzz_target_survives_a_short_run(target, tmp_path):
    corpus = tmp_path / "corpus"
    seeds = ROOT / "fuzz" / "seeds" / target.stem.removesuffix("_target")
    if seeds.is_dir():
        shutil.copytree(seeds, corpus)
    else:
        corpus.mkdir()
    command = [sys.executable, str(target), *SHORT_RUN, f"-artifact_prefix={tmp_path}/", str(corpus)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, errors="replace", timeout=300)
    saved = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-", "leak-")))
    tail = "\n".join(done.stderr.splitlines()[-25:])
    assert done.returncode == 0 and not saved, (
        f"{target.name} failed (exit {done.returncode}), input saved as {saved} in {tmp_path};"
        f" replay it with `python {target.relative_to(ROOT)} <file>` (see fuzz/README.md)\n{tail}"
    )
    assert "Done " in done.stderr, f"{target.name} did not run its inputs:\n{tail}"
