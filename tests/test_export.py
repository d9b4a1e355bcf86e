"""`mizan export`: Parquet tables and fact-checking data sets split by event."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT, SAMPLE
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.export import DATASET_COLUMNS, FACTCHECK_COLUMNS, SPLITS, event_keys, split_of
from pipeline.run import RunOptions, run_batch

runner = CliRunner()
FILES = {
    "jsonl": ["train.jsonl", "dev.jsonl", "test.jsonl"],
    "quantemp": ["train_claims_quantemp.json", "val_claims_quantemp.json", "test_claims_quantemp.json"],
    "checkthat": [f"{s}_{lang}_claims.json" for lang in ("arabic", "english") for s in ("train", "val", "test")],
}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export") / "out"
    assert run_batch([str(SAMPLE)], folder, RunOptions(workers=1, progress=False)).counts.failed == 0
    return folder


@pytest.fixture(scope="module")
def unnamed(tmp_path_factory) -> Path:
    """A run over a syndicated copy, its original and an unrelated story, none with an event
    field: only the copy link can put the first two together."""
    base = tmp_path_factory.mktemp("unnamed")
    source = base / "articles.jsonl"
    keep = {"sample-en-01", "sample-en-02", "sample-ar-07"}
    with source.open("w", encoding="utf-8") as handle:
        for line in SAMPLE.read_text(encoding="utf-8").splitlines():
            article = json.loads(line)
            if article["id"] in keep:
                article.pop("event", None)
                handle.write(json.dumps(article, ensure_ascii=False) + "\n")
    assert run_batch([str(source)], base / "out", RunOptions(workers=1, progress=False)).counts.failed == 0
    return base / "out"


def export(out: Path, fmt: str, to: Path) -> str:
    result = runner.invoke(app, ["export", "--out", str(out), "--format", fmt, "--to", str(to)])
    assert result.exit_code == 0, result.output
    return result.stderr


def read_rows(folder: Path, fmt: str) -> dict[str, list[dict]]:
    rows = {}
    for name in FILES[fmt]:
        text = (folder / name).read_text(encoding="utf-8")
        rows[name] = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else json.loads(text)
    return rows


def jsonl_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_every_claim_once_and_every_article_in_one_split(out, tmp_path):
    line = export(out, "jsonl", tmp_path)
    rows = read_rows(tmp_path, "jsonl")
    claims = jsonl_lines(out / "claims.jsonl")
    ids = [r["claim_id"] for split in rows.values() for r in split]
    assert sorted(ids) == sorted(c["id"] for c in claims)
    splits_of_article = defaultdict(set)
    for name, split in rows.items():
        for r in split:
            assert r["split"] == name.removesuffix(".jsonl") == split_of(r["event"])
            splits_of_article[r["article_id"]].add(r["split"])
    assert all(len(s) == 1 for s in splits_of_article.values())
    assert f"exported {len(claims)} claims" in line


def test_export_named_events_decide_the_split(out, tmp_path):
    export(out, "jsonl", tmp_path)
    rows = [r for split in read_rows(tmp_path, "jsonl").values() for r in split]
    events = {a["id"]: a.get("event") for a in jsonl_lines(out / "articles.jsonl")}
    for r in rows:
        if events[r["article_id"]]:
            assert r["event"] == "event:" + events[r["article_id"]]
    split = {r["article_id"]: r["split"] for r in rows}
    assert split["sample-en-02"] == split["sample-en-01"]  # the copy and its original
    by_event = defaultdict(set)
    for r in rows:
        by_event[r["event"]].add(r["split"])
    assert all(len(s) == 1 for s in by_event.values())
    # the article without an event goes with a story it shares facts with, not a story of its own
    assert next(r["event"] for r in rows if r["article_id"] == "sample-ar-09").startswith("event:sample-ev-")


def test_export_a_copy_follows_its_original_without_event_fields(unnamed, tmp_path):
    export(unnamed, "jsonl", tmp_path)
    rows = [r for split in read_rows(tmp_path, "jsonl").values() for r in split]
    event = {r["article_id"]: r["event"] for r in rows}
    assert event["sample-en-02"] == event["sample-en-01"] == "story:sample-en-01"
    assert event["sample-ar-07"] == "story:sample-ar-07"


@pytest.mark.parametrize("fmt", ["jsonl", "quantemp", "checkthat", "parquet"])
def test_export_twice_gives_the_same_bytes(out, tmp_path, fmt):
    export(out, fmt, tmp_path / "one")
    export(out, fmt, tmp_path / "two")
    one = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    two = {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()}
    assert one.keys() == two.keys() and len(one) >= 3
    assert one == two


def readme_export_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Export\n") + 1:]
    return section[:section.index("\n## ")]


@pytest.mark.parametrize("fmt, columns", [
    ("jsonl", list(DATASET_COLUMNS)),
    ("quantemp", list(FACTCHECK_COLUMNS | DATASET_COLUMNS)),
    ("checkthat", list(FACTCHECK_COLUMNS | DATASET_COLUMNS)),
])
def test_export_rows_have_the_documented_columns(out, tmp_path, fmt, columns):
    export(out, fmt, tmp_path)
    rows = read_rows(tmp_path, fmt)
    assert sum(len(r) for r in rows.values()) == len(jsonl_lines(out / "claims.jsonl"))
    for name, split in rows.items():
        for r in split:
            assert list(r) == columns, name
    listed = re.findall(r"^\| `([a-z_]+)` \|", (tmp_path / "columns.md").read_text(encoding="utf-8"), re.M)
    assert listed == columns
    readme = readme_export_section()
    assert all(f"`{c}`" in readme for c in columns)


def test_export_checkthat_files_hold_one_language_each(out, tmp_path):
    export(out, "checkthat", tmp_path)
    for name, split in read_rows(tmp_path, "checkthat").items():
        lang = "ar" if "_arabic_" in name else "en"
        assert all(r["lang"] == lang for r in split)
        assert all(_file_split(name) == r["split"] for r in split)


def _file_split(name: str) -> str:
    return {"train": "train", "val": "dev", "test": "test"}[name.split("_")[0]]


def test_export_labels_never_pass_our_verdict_off_as_truth(out, tmp_path):
    export(out, "quantemp", tmp_path)
    rows = [r for split in read_rows(tmp_path, "quantemp").values() for r in split]
    assert {r["label"] for r in rows} == {"Conflicting", None}
    for r in rows:
        assert r["label_original"] == r["verdict"]
        assert (r["label"] == "Conflicting") == (r["verdict"] == "conflicting")
        assert r["claim"] == r["evidence"] and r["taxonomy_label"] in ("statistical", "comparison", "interval")
    corroborated = [r for r in rows if r["verdict"] == "corroborated"]
    assert corroborated and all(r["label"] is None for r in corroborated)
    planted = [r for r in rows if r["article_id"] == "sample-ar-04" and r["value"] == 25_000_000 and r["field"] == "text"]
    assert len(planted) == 1 and planted[0]["label"] == "Conflicting"
    assert all(r["taxonomy_label"] == "interval" for r in rows if r["qualifier"] == "range")


def test_export_parquet_reads_back_with_the_jsonl_counts(out, tmp_path):
    line = export(out, "parquet", tmp_path)
    claims = jsonl_lines(out / "claims.jsonl")
    expected = {
        "claims": len(claims),
        "articles": len(jsonl_lines(out / "articles.jsonl")),
        "groups": len(json.loads((out / "validation.json").read_text(encoding="utf-8"))["groups"]),
    }
    con = duckdb.connect()
    try:
        for table, n in expected.items():
            path = str(tmp_path / f"{table}.parquet")
            assert con.execute("SELECT count(*) FROM read_parquet(?)", [path]).fetchone()[0] == n
        ids = {r[0] for r in con.execute("SELECT id FROM read_parquet(?)", [str(tmp_path / "claims.parquet")]).fetchall()}
        assert ids == {c["id"] for c in claims}
    finally:
        con.close()
    assert f"{expected['claims']} claims" in line and not list(tmp_path.glob(".*.tmp"))


def test_export_bad_format_or_missing_store_is_one_line(out, tmp_path):
    bad = runner.invoke(app, ["export", "--out", str(out), "--format", "csv", "--to", str(tmp_path / "x")])
    missing = runner.invoke(app, ["export", "--out", str(tmp_path / "none"), "--format", "jsonl"])
    for result, says in ((bad, "--format"), (missing, "no store here")):
        assert result.exit_code == 2 and result.stderr.count("\n") == 1 and says in result.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "none").exists()


@pytest.mark.parametrize("events, links, expected", [
    # a copy without an event goes with its named original
    ({"a": "E", "b": None}, [("a", "b")], {"a": "event:E", "b": "event:E"}),
    # two named events are never merged, even when an article links them
    ({"a": "E", "b": "F"}, [("a", "b")], {"a": "event:E", "b": "event:F"}),
    # unnamed articles joined in a chain are one story, named after the first id
    ({"c": None, "b": None, "a": None, "z": None}, [("c", "b"), ("b", "a")],
     {"a": "story:a", "b": "story:a", "c": "story:a", "z": "story:z"}),
    # a round-up linked to two events takes the one it has most links to
    ({"r": None, "a": "E", "b": "F", "c": "F"}, [("r", "a"), ("r", "b"), ("r", "c")],
     {"r": "event:F", "a": "event:E", "b": "event:F", "c": "event:F"}),
    # a tie goes to the first name, whatever the order of the links
    ({"r": None, "a": "F", "b": "E"}, [("r", "a"), ("r", "b")], {"r": "event:E", "a": "event:F", "b": "event:E"}),
    # links to articles that are not in the store are ignored
    ({"a": None}, [("a", "gone")], {"a": "story:a"}),
])
def test_export_event_keys(events, links, expected):
    assert event_keys(events, links) == expected
    assert event_keys(events, list(reversed(links))) == expected


def test_export_split_shares_are_near_80_10_10():
    counts = defaultdict(int)
    for n in range(5000):
        counts[split_of(f"event:{n}")] += 1
    assert set(counts) == set(SPLITS)
    assert 0.77 < counts["train"] / 5000 < 0.83 and 0.08 < counts["dev"] / 5000 < 0.12
