"""`mizan run`: incremental, idempotent, crash-safe batch runs and their outputs."""

from __future__ import annotations

import json
import os
import resource
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import ROOT, SAMPLE
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.database import StoreError, connect
from pipeline.models import ArticleRecord, Claim, MentionRecord
from pipeline.run import OutputError, OutputFolder, RunOptions, run_batch

FINAL = ("articles.jsonl", "claims.jsonl", "mentions.jsonl", "validation.json")


def sample_lines() -> list[dict]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def many_articles(path: Path, copies: int) -> Path:
    """`copies` rounds of the sample corpus, each article with its own id and a changed last line."""
    with path.open("w", encoding="utf-8") as handle:
        for n in range(copies):
            for a in sample_lines():
                handle.write(json.dumps({**a, "id": f"{a['id']}-{n}", "text": a["text"] + f"\n({n})"}, ensure_ascii=False) + "\n")
    return path


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in FINAL}


def mizan(*args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, Path]:
    """An uninterrupted one-worker run over 5 rounds of the sample (70 articles)."""
    base = tmp_path_factory.mktemp("reference")
    source = many_articles(base / "articles.jsonl", 5)
    out = base / "out"
    summary = run_batch([str(source)], out, RunOptions(workers=1, chunk_size=4, progress=False))
    assert summary.counts.articles == 70 and summary.counts.failed == 0
    return source, out


@pytest.mark.parametrize("name, model", [("articles.jsonl", ArticleRecord), ("claims.jsonl", Claim), ("mentions.jsonl", MentionRecord)])
def test_consolidated_lines_are_each_models_own_json(reference, name, model):
    # the outputs are sliced from the parts, not re-encoded: each line must still be exactly
    # what the model writes for the record it holds
    lines = (reference[1] / name).read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        assert model.model_validate_json(line).model_dump_json() == line


def test_a_second_run_skips_everything_and_changes_nothing(reference, tmp_path):
    source, out = reference
    before = outputs(out)
    summary = run_batch([str(source)], out, RunOptions(workers=1, chunk_size=4, progress=False))
    assert summary.counts.skipped == 70 and summary.counts.claims == 0
    assert all(r.action == "skipped" for r in summary.manifest.articles)
    assert outputs(out) == before
    runs = sorted(p.name for p in (out / "runs").glob("*.json"))
    assert runs[-2:] == ["r00001.json", "r00002.json"] or len(runs) >= 2


def test_a_run_with_nothing_new_keeps_the_outputs_and_adds_its_run_to_the_store(tmp_path):
    out = tmp_path / "out"
    run_batch([str(SAMPLE)], out, RunOptions(workers=1, progress=False))
    before = outputs(out)
    files = {name: (out / name).stat().st_ino for name in FINAL}
    run_batch([str(SAMPLE)], out, RunOptions(workers=1, progress=False))
    assert {name: (out / name).stat().st_ino for name in FINAL} == files  # kept, not rewritten
    con = connect(out)
    try:
        assert con.execute("select list(run order by run), list(skipped order by run) from runs").fetchone() == ([1, 2], [0, 14])
        assert con.execute("select count(*) from claims").fetchone()[0] == len(before["claims.jsonl"].splitlines())
    finally:
        con.close()
    (out / "validation.json").unlink()  # an output gone: the next run builds them all again
    run_batch([str(SAMPLE)], out, RunOptions(workers=1, progress=False))
    assert outputs(out) == before


def test_outputs_left_half_rebuilt_are_never_kept(tmp_path, monkeypatch):
    """A run that changed the outputs and died before the store: the next run rebuilds, even
    when its inputs bring the outputs back to what the last complete run made."""
    import pipeline.run as run_module

    out = tmp_path / "out"
    day1 = tmp_path / "day1.jsonl"
    arts = sample_lines()
    day1.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in arts), encoding="utf-8")
    run_batch([str(day1)], out, RunOptions(workers=1, progress=False))
    before = outputs(out)
    day2 = tmp_path / "day2.jsonl"
    revised = {**arts[0], "text": arts[0]["text"].replace("١٥", "١٦")}
    day2.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in [revised, *arts[1:]]), encoding="utf-8")

    def dies(_out):
        raise OSError(5, "killed here")

    monkeypatch.setattr(run_module, "build_store", dies)
    with pytest.raises(OutputError):
        run_batch([str(day2)], out, RunOptions(workers=1, progress=False))
    assert outputs(out) != before  # day 2's outputs are on disk, its store is not
    monkeypatch.undo()
    run_batch([str(day1)], out, RunOptions(workers=1, progress=False))  # day 1's outcomes win again
    assert outputs(out) == before


def test_two_workers_give_the_same_bytes_as_one(reference, tmp_path):
    source, out = reference
    two = tmp_path / "two"
    run_batch([str(source)], two, RunOptions(workers=2, chunk_size=8, progress=False))
    assert outputs(two) == outputs(out)


def test_ingest_notes_reach_the_run_manifest_and_the_article_record(tmp_path):
    # a lone surrogate is replaced by U+FFFD at ingest (I009); the worker never sees the note,
    # the main process adds it to the outcome
    source = tmp_path / "s.jsonl"
    source.write_text('{"id": "s1", "lang": "en", "text": "Acme said revenue \\ud800rose to 12 mln dlrs."}\n'
                      '{"id": "s2", "lang": "en", "text": "Acme said revenue rose to 14 mln dlrs."}\n')
    summary = run_batch([str(source)], tmp_path / "out", RunOptions(workers=2, chunk_size=1, progress=False))
    codes = {r.article_id: [i.code for i in r.issues] for r in summary.manifest.articles}
    assert codes["s1"][0] == "I009" and "I009" not in codes["s2"]
    records = {json.loads(line)["id"]: json.loads(line) for line in (tmp_path / "out" / "articles.jsonl").read_text().splitlines()}
    assert records["s1"]["issues"][0]["code"] == "I009"
    assert summary.counts.claims == sum(r.claims for r in summary.manifest.articles) == 2


def test_new_and_revised_articles_only_are_processed(tmp_path):
    out = tmp_path / "out"
    first = tmp_path / "day1.jsonl"
    arts = sample_lines()
    first.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in arts[:5]), encoding="utf-8")
    run_batch([str(first)], out, RunOptions(workers=1, progress=False))
    second = tmp_path / "day2.jsonl"
    revised = {**arts[0], "text": arts[0]["text"].replace("١٥", "١٦")}
    second.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in [revised, *arts[1:7]]), encoding="utf-8")
    summary = run_batch([str(second)], out, RunOptions(workers=1, progress=False))
    actions = {r.article_id: r.action for r in summary.manifest.articles}
    assert actions[arts[0]["id"]] == "processed"  # revised: new content hash
    assert [actions[a["id"]] for a in arts[1:5]] == ["skipped"] * 4
    assert [actions[a["id"]] for a in arts[5:7]] == ["processed"] * 2
    stored = [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [a["id"] for a in stored] == sorted(a["id"] for a in arts[:7])  # every article once, revised one replaced
    first_article = next(a for a in stored if a["id"] == arts[0]["id"])
    assert "١٦" in first_article["text"]


def test_every_input_is_accounted_for(tmp_path):
    source = tmp_path / "mixed.jsonl"
    good = sample_lines()[:3]
    lines = [json.dumps(good[0], ensure_ascii=False), "{not json", json.dumps({"id": "empty", "text": "   "}),
             json.dumps(good[1], ensure_ascii=False), '["a list"]', json.dumps(good[2], ensure_ascii=False),
             json.dumps({"id": "digits-only", "text": "12345"})]
    source.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + b"\xff\xfe broken bytes\n")
    summary = run_batch([str(source)], tmp_path / "out", RunOptions(workers=1, progress=False))
    c = summary.counts
    assert c.articles == 8 == c.ok + c.partial + c.failed
    assert c.failed == 5
    codes = sorted(i.code for r in summary.manifest.articles if r.status == "failed" for i in r.issues)
    assert codes == ["I001", "I002", "I003", "I004", "I007"]
    stored = (tmp_path / "out" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(stored) == 3  # what could be read is processed; the rest is in the manifest with its reason


def test_killed_run_resumes_to_the_same_outputs(reference, tmp_path):
    source, ref_out = reference
    out = tmp_path / "out"
    proc = mizan("run", str(source), "--out", str(out), "--workers", "1", "--chunk-size", "4", "--no-progress")
    deadline = time.monotonic() + 120
    while len(list((out / "parts").glob("r*.jsonl"))) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "claims.jsonl").exists()  # killed before consolidation
    resumed = mizan("run", str(source), "--out", str(out), "--workers", "1", "--chunk-size", "4", "--no-progress")
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["skipped"] >= 12 and manifest["counts"]["articles"] == 70
    assert outputs(out) == outputs(ref_out)
    assert not list(out.rglob(".*.tmp"))


def test_a_full_disk_is_one_clear_line_and_a_resumable_state(reference, tmp_path):
    source, ref_out = reference
    out = tmp_path / "out"

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    proc = mizan("run", str(source), "--out", str(out), "--workers", "1", "--chunk-size", "4", "--no-progress",
                 preexec_fn=small_files)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2
    assert err.strip().splitlines()[-1].startswith("mizan: ") and "no space left" in err and "Traceback" not in err
    resumed = mizan("run", str(source), "--out", str(out), "--workers", "1", "--chunk-size", "4", "--no-progress")
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert outputs(out) == outputs(ref_out)


def test_a_killed_worker_is_replaced_and_nothing_is_lost(reference, tmp_path):
    psutil = pytest.importorskip("psutil")
    source, ref_out = reference
    out = tmp_path / "out"
    proc = mizan("run", str(source), "--out", str(out), "--workers", "2", "--chunk-size", "2", "--no-progress")
    parent = psutil.Process(proc.pid)
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and proc.poll() is None and time.monotonic() < deadline:
        workers = parent.children()
        if workers and list((out / "parts").glob("r*.jsonl")):
            victim = workers[0]
            victim.kill()
        time.sleep(0.02)
    assert victim is not None, "no worker to kill"
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "worker process died" in err
    assert outputs(out) == outputs(ref_out)


def _die_on_poison(lines, settings):
    from pipeline.engines import process_chunk

    if any('"id":"poison' in line for line in lines):
        os._exit(9)  # what an out-of-memory kill looks like to the pool
    return process_chunk(lines, settings)


def test_an_article_that_kills_its_worker_fails_alone(tmp_path, monkeypatch):
    import pipeline.engines.local as local

    monkeypatch.setattr(local, "process_chunk", _die_on_poison)
    source = tmp_path / "poison.jsonl"
    arts = sample_lines()[:6]
    arts.insert(3, {**arts[0], "id": "poison", "text": arts[0]["text"] + " !"})
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in arts), encoding="utf-8")
    summary = run_batch([str(source)], tmp_path / "out", RunOptions(workers=2, chunk_size=3, progress=False))
    status = {r.article_id: (r.status, [i.code for i in r.issues]) for r in summary.manifest.articles}
    assert status["poison"] == ("failed", ["X001"])
    assert all(s == "ok" for aid, (s, _) in status.items() if aid != "poison")


class _DiesHalfwayThroughSending:
    """A worker's pipe that, for the article "halfway", writes the start of a long answer and
    dies: what a kill in the middle of sending a result leaves behind."""

    def __init__(self, conn):
        self.conn = conn

    def recv(self):
        return self.conn.recv()

    def send(self, answer) -> None:
        if '"id":"halfway"' in str(answer):
            os.write(self.conn.fileno(), struct.pack("!i", 1 << 20) + b"the first bytes")
            os._exit(9)
        self.conn.send(answer)


def _serve_dying_halfway(conn, settings, inherited):
    from pipeline.engines import local

    local._REAL_SERVE(_DiesHalfwayThroughSending(conn), settings, inherited)


def test_a_worker_killed_halfway_through_sending_hangs_nothing(tmp_path, monkeypatch):
    import pipeline.engines.local as local

    monkeypatch.setattr(local, "_REAL_SERVE", local._serve, raising=False)
    monkeypatch.setattr(local, "_serve", _serve_dying_halfway)
    source = tmp_path / "halfway.jsonl"
    arts = sample_lines()[:8]
    arts.insert(5, {**arts[1], "id": "halfway", "text": arts[1]["text"] + " ."})
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in arts), encoding="utf-8")
    done: list = []
    runner = threading.Thread(daemon=True, target=lambda: done.append(
        run_batch([str(source)], tmp_path / "out", RunOptions(workers=2, chunk_size=3, progress=False))))
    runner.start()
    runner.join(timeout=180)
    assert done, "the run hung on a half-sent answer"
    status = {r.article_id: (r.status, [i.code for i in r.issues]) for r in done[0].manifest.articles}
    assert status.pop("halfway") == ("failed", ["X001"])
    assert len(status) == 8 and all(s != "failed" for s, _ in status.values())


def _setup_fails(lines, settings):
    from pipeline.errors import ConfigError

    if any('"id":"bad-model-' in line for line in lines):
        raise ConfigError("model path /nowhere is not a folder")
    raise KeyError("third-party")


@pytest.mark.parametrize("first, expected", [("bad-model", "ConfigError: model path /nowhere is not a folder"),
                                             ("other", "RuntimeError: KeyError: 'third-party'")])
def test_a_setup_error_in_a_worker_reaches_the_caller_by_name(tmp_path, monkeypatch, first, expected):
    import pipeline.engines.local as local

    monkeypatch.setattr(local, "process_chunk", _setup_fails)
    source = tmp_path / "setup.jsonl"
    arts = [{**a, "id": f"{first}-{n}"} for n, a in enumerate(sample_lines()[:4])]  # every chunk fails alike
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in arts), encoding="utf-8")
    with pytest.raises(Exception) as raised:
        run_batch([str(source)], tmp_path / "out", RunOptions(workers=2, chunk_size=2, progress=False))
    assert f"{type(raised.value).__name__}: {raised.value}" == expected


def test_a_second_run_on_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    holder = OutputFolder(out)
    holder.open()
    try:
        with pytest.raises(OutputError, match="another mizan run"):
            run_batch([str(SAMPLE)], out, RunOptions(workers=1, progress=False))
    finally:
        holder.close()


def test_store_tables_and_a_locked_store(reference, tmp_path):
    _, out = reference
    con = connect(out)
    try:
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("articles", "claims", "mentions", "groups", "runs")}
        claims_lines = len((out / "claims.jsonl").read_text(encoding="utf-8").splitlines())
        assert counts["articles"] == 70 and counts["claims"] == claims_lines and counts["groups"] > 0 and counts["runs"] >= 1
        row = con.execute("select value, unit, amount_text from claims where metric = 'spending' and unit = 'USD' limit 1").fetchone()
        assert row[0] > 0 and row[2]
    finally:
        con.close()
    # another process holds the store open for writing: a reader gets one clear error
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "mizan.duckdb").write_bytes((out / "mizan.duckdb").read_bytes())
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(60)", str(copy / "mizan.duckdb")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="locked by another process"):
            connect(copy)
    finally:
        holder.kill()
        holder.wait()


def test_cli_run_and_demo(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(SAMPLE), "--out", str(tmp_path / "out"), "--workers", "1", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "14 articles (14 processed, 0 skipped" in result.stderr
    phases = result.stderr.strip().splitlines()[-1].split(" s (", 1)[1].rstrip(")").split(", ")
    assert [p.split()[0] for p in phases] == ["read", "process", "outputs", "validate", "store"]
    demo = runner.invoke(app, ["demo", str(SAMPLE), "--out", str(tmp_path / "demo")])
    assert demo.exit_code == 0, demo.output
    assert "conflicting" in demo.stdout and "sample-ar-04" in demo.stdout
    missing = runner.invoke(app, ["run", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "x")])
    assert missing.exit_code == 2 and missing.stderr.count("\n") == 1


def test_ids_and_urls_never_choose_where_files_go(tmp_path):
    """Whatever an id or URL holds (../, an absolute path, NUL), nothing is written outside --out."""
    work = tmp_path / "work"
    work.mkdir()
    base = sample_lines()[0]
    hostile = ["../../escaped", "/tmp/absolute-id", "a\u0000b", "..", "parts/../../x", "C:\\\\windows\\\\x"]
    source = work / "hostile.jsonl"
    source.write_text("".join(json.dumps({**base, "id": i, "url": "file:///../../etc/passwd", "text": base["text"] + f" ({n})"},
                                         ensure_ascii=False) + "\n" for n, i in enumerate(hostile)), encoding="utf-8")
    before = {p for p in tmp_path.parent.rglob("*") if tmp_path.name not in p.parts}
    out = work / "out"
    summary = run_batch([str(source)], out, RunOptions(workers=1, progress=False))
    assert summary.counts.articles == len(hostile) and summary.counts.failed == 0
    stored = [json.loads(line)["id"] for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(stored) == sorted(hostile)  # the ids are data, kept as given
    outside = {p for p in tmp_path.rglob("*")} - {work, source} - set(out.rglob("*")) - {out}
    assert outside == set()
    assert {p for p in tmp_path.parent.rglob("*") if tmp_path.name not in p.parts} == before
    assert not Path("/tmp/absolute-id").exists()
    con = connect(out)
    try:
        assert sorted(r[0] for r in con.execute("select id from articles").fetchall()) == sorted(hostile)
    finally:
        con.close()
