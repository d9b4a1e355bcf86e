"""`mizan query` over the store of a batch run of the sample corpus.

Expected results are worked out from the run's JSONL outputs and validation report,
not from the store, so a wrong join or filter in the query shows up as a difference.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SAMPLE
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.run import RunOptions, run_batch

runner = CliRunner()


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("query") / "out"
    summary = run_batch([str(SAMPLE)], folder, RunOptions(workers=1, progress=False))
    assert summary.counts.failed == 0
    return folder


def claims_file(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "claims.jsonl").read_text(encoding="utf-8").splitlines()]


def query(out: Path, *args: str) -> list[dict]:
    result = runner.invoke(app, ["query", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert result.stdout == ""
    return result.stderr


def test_query_entity_is_matched_through_the_alias_table(out):
    arabic = query(out, "--entity", "أوبن إيه آي")
    english = query(out, "--entity", "openai")
    expected = {c["id"] for c in claims_file(out) if (c["entity"] or {}).get("name") == "OpenAI"}
    assert expected and {c["id"] for c in arabic} == expected == {c["id"] for c in english}
    assert {c["entity"]["name"] for c in arabic} == {"OpenAI"}


def test_query_rows_are_full_claims_with_their_group(out):
    rows = {c["id"]: c for c in query(out)}
    by_id = {c["id"]: c for c in claims_file(out)}
    assert rows.keys() == by_id.keys()
    groups = json.loads((out / "validation.json").read_text(encoding="utf-8"))["groups"]
    member = {m["claim_id"]: g for g in groups for m in g["members"] if "~" not in g["key"]}
    for cid, row in rows.items():
        assert {k: v for k, v in row.items() if k not in ("verdict", "group")} == by_id[cid]
        group = member.get(cid)
        assert (row["group"], row["verdict"]) == ((group["key"], group["verdict"]) if group else (None, None))


def test_query_verdict_conflicting_finds_the_planted_conflict_and_its_opponents(out):
    rows = query(out, "--verdict", "conflicting")
    groups = json.loads((out / "validation.json").read_text(encoding="utf-8"))["groups"]
    expected = {m["claim_id"] for g in groups if g["verdict"] == "conflicting" for m in g["members"]}
    assert {r["id"] for r in rows} == expected
    assert {r["verdict"] for r in rows} == {"conflicting"}
    planted = [r for r in rows if r["article_id"] == "sample-ar-04" and r["amount"]["value"] == 25_000_000]
    assert len(planted) == 1 and planted[0]["amount"]["unit"] == "USD" and planted[0]["period"]["kind"] == "day"
    opponents = [r for r in rows if r["group"] == planted[0]["group"] and r["article_id"] != "sample-ar-04"
                 and r["amount"]["unit"] == "USD" and r["amount"]["value"] == 15_000_000]
    assert {r["article_id"] for r in opponents} >= {"sample-ar-01", "sample-en-01"}


@pytest.mark.parametrize("since, until", [("2025-11-11", "2025-11-12"), ("2025-11-15", None), (None, "2025-10-30")])
def test_query_since_until_compare_the_published_date_inclusively(out, since, until):
    args = (["--since", since] if since else []) + (["--until", until] if until else [])
    got = {c["id"] for c in query(out, *args)}
    expected = {c["id"] for c in claims_file(out)
                if (since is None or c["published"] >= since) and (until is None or c["published"] <= until)}
    assert expected and got == expected
    assert len(expected) < len(claims_file(out))


def test_query_filters_combine_and_limit_cuts(out):
    everything = query(out, "--lang", "en", "--metric", "loss")
    assert everything and all(c["lang"] == "en" and c["metric"] == "loss" for c in everything)
    assert len(everything) == sum(1 for c in claims_file(out) if c["lang"] == "en" and c["metric"] == "loss")
    assert query(out, "--lang", "en", "--metric", "loss", "--limit", "2") == everything[:2]


def test_query_source_is_a_name_or_a_kind(out):
    forbes = query(out, "--source", "Forbes")
    outlets = query(out, "--source", "outlet")
    assert forbes and {c["source"]["name"] for c in forbes} == {"Forbes"}
    assert {c["source"]["kind"] for c in outlets} == {"outlet"}
    assert {c["id"] for c in forbes} < {c["id"] for c in outlets}


def test_query_formats_json_and_table(out):
    lines = query(out, "--metric", "valuation")
    array = runner.invoke(app, ["query", "--out", str(out), "--metric", "valuation", "--format", "json"])
    assert array.exit_code == 0 and json.loads(array.stdout) == lines
    table = runner.invoke(app, ["query", "--out", str(out), "--metric", "valuation", "--format", "table"])
    assert table.exit_code == 0
    assert "verdict" in table.stdout and all(c["article_id"] in table.stdout for c in lines)


def test_query_no_rows_is_not_an_error(out):
    none = runner.invoke(app, ["query", "--out", str(out), "--entity", "Nobody At All"])
    assert none.exit_code == 0 and none.stdout == ""
    empty = runner.invoke(app, ["query", "--out", str(out), "--entity", "Nobody At All", "--format", "json"])
    assert empty.exit_code == 0 and json.loads(empty.stdout) == []


def test_query_sql_reads_the_store(out):
    rows = query(out, "--sql", "SELECT verdict, count(*) AS n FROM groups GROUP BY verdict ORDER BY verdict")
    counts = json.loads((out / "validation.json").read_text(encoding="utf-8"))["counts"]
    assert {r["verdict"]: r["n"] for r in rows} == {k: v for k, v in counts.items() if not k.startswith("check")}


@pytest.mark.parametrize("statement, says", [
    ("DELETE FROM claims", "read-only"),
    ("INSERT INTO runs (run) VALUES (99)", "read-only"),
    ("SELECT * FROM read_csv('/etc/hostname')", "only the store's tables"),
    ("COPY claims TO '/tmp/mizan-copied.csv'", "--sql"),
    ("ATTACH '/tmp/mizan-attached.duckdb' AS other", "--sql"),
    ("INSTALL httpfs", "--sql"),
    ("SET enable_external_access = true", "--sql"),
    ("SELEC 1", "syntax error"),
])
def test_query_sql_that_writes_or_fails_is_one_line(out, statement, says):
    before = (out / "mizan.duckdb").read_bytes()
    error = one_line_error(runner.invoke(app, ["query", "--out", str(out), "--sql", statement]))
    assert says in error
    assert (out / "mizan.duckdb").read_bytes() == before
    assert not Path("/tmp/mizan-copied.csv").exists() and not Path("/tmp/mizan-attached.duckdb").exists()
    assert query(out, "--sql", "SELECT count(*) AS n FROM claims") == [{"n": len(claims_file(out))}]


@pytest.mark.parametrize("args, says", [
    (["--metric", "turnover"], "--metric"),
    (["--since", "2025-13-01"], "--since"),
    (["--until", "12/11/2025"], "--until"),
    (["--lang", "fr"], "--lang"),
    (["--verdict", "true"], "--verdict"),
    (["--limit", "0"], "--limit"),
    (["--since", "2025-11-12", "--until", "2025-11-01"], "after"),
    (["--format", "csv"], "--format"),
    (["--sql", "SELECT 1", "--lang", "ar"], "cannot be combined"),
])
def test_query_bad_filter_value_is_one_line_and_exit_2(out, args, says):
    assert says in one_line_error(runner.invoke(app, ["query", "--out", str(out), *args]))


def test_query_missing_store_is_one_line(tmp_path):
    assert "no store here" in one_line_error(runner.invoke(app, ["query", "--out", str(tmp_path)]))


def test_query_locked_store_is_one_line(out, tmp_path):
    (tmp_path / "mizan.duckdb").write_bytes((out / "mizan.duckdb").read_bytes())
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(60)", str(tmp_path / "mizan.duckdb")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert "locked by another process" in one_line_error(runner.invoke(app, ["query", "--out", str(tmp_path)]))
    finally:
        holder.kill()
        holder.wait()
