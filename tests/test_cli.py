"""The `mizan` command on real input and on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
from typer.testing import CliRunner

from pipeline.cli import app

from helpers import ROOT, SAMPLE

runner = CliRunner()


def claim_validator():
    schema = json.loads((ROOT / "schemas" / "claim.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def test_cli_extract_sample_writes_valid_claims_and_a_full_manifest(tmp_path):
    out = tmp_path / "claims.jsonl"
    result = runner.invoke(app, ["extract", str(ROOT / "corpora" / "sample"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 14
    validator = claim_validator()
    for line in lines:
        claim = json.loads(line)
        validator.validate(claim)
    manifest = json.loads((tmp_path / "claims.manifest.json").read_text(encoding="utf-8"))
    ids = [json.loads(line)["id"] for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert [a["article_id"] for a in manifest["articles"]] == ids
    assert manifest["counts"]["articles"] == len(ids) and manifest["counts"]["claims"] == len(lines)


def test_cli_extract_without_output_writes_jsonl_to_stdout(tmp_path):
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps({"id": "x", "lang": "en", "text": "Acme Corp said revenue rose to 12 mln dlrs."}) + "\n")
    result = runner.invoke(app, ["extract", str(src)])
    assert result.exit_code == 0
    claims = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert claims and claims[0]["amount"]["value"] == 12000000 and claims[0]["amount"]["unit"] == "USD"


def test_cli_extract_missing_file_is_one_line_and_exit_2(tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "no such file" in result.stderr
    assert "Traceback" not in result.output


def test_cli_extract_bad_lines_are_recorded_and_the_run_goes_on(tmp_path):
    src = tmp_path / "mixed.jsonl"
    good = json.dumps({"id": "good", "text": "أعلنت موبايلي خسائر بلغت 945 مليون ريال سعودي."}, ensure_ascii=False)
    empty = json.dumps({"id": "empty", "lang": "ar", "text": "   "})
    src.write_bytes(
        good.encode() + b"\n" + b"{not json\n" + empty.encode() + b"\n" + b'{"id": "bad", "text": "\xff\xfe"}\n'
        + json.dumps({"id": "fr", "lang": "fr", "text": "bonjour"}).encode() + b"\n"
    )
    out = tmp_path / "c.jsonl"
    result = runner.invoke(app, ["extract", str(src), "-o", str(out)])
    assert result.exit_code == 1
    manifest = json.loads((tmp_path / "c.manifest.json").read_text())
    by_status = {a["article_id"]: (a["status"], [i["code"] for i in a["issues"]]) for a in manifest["articles"]}
    assert by_status["good"][0] in ("ok", "partial")
    assert by_status[f"{src}:2"] == ("failed", ["I001"])
    assert by_status[f"{src}:3"] == ("failed", ["I003"])
    assert by_status[f"{src}:4"] == ("failed", ["I007"])
    assert by_status[f"{src}:5"] == ("failed", ["I002"])
    assert manifest["counts"]["articles"] == 5 and manifest["counts"]["failed"] == 4
    assert f"mizan: {src}: line 2: invalid JSON" in result.stderr  # the file once, then the line
    assert result.stderr.count("mizan: ") == 4, result.stderr  # one line per failed article
    assert json.loads(out.read_text().splitlines()[0])["amount"]["unit"] == "SAR"


def test_cli_extract_detects_language_and_reads_text_files(tmp_path):
    (tmp_path / "a.txt").write_text("تنفق الشركة نحو 15 مليون دولار يوميا", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Headline\n\nAcme Corp posted a net loss of 3 mln dlrs.", encoding="utf-8")
    out = tmp_path / "c.jsonl"
    result = runner.invoke(app, ["extract", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "c.manifest.json").read_text())
    assert {a["article_id"]: a["lang"] for a in manifest["articles"]} == {"a": "ar", "b": "en"}


def test_cli_mentions_writes_exactly_one_line_per_input_line():
    text = "بلغت ١٥ مليون دولار\n\nno numbers here\nrevenue of $4.5bn, up 12%\n"
    result = runner.invoke(app, ["mentions", "--lang", "auto"], input=text)
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4
    assert rows[1] == {"mentions": []} and rows[2] == {"mentions": []}
    first = rows[0]["mentions"][0]
    assert (first["kind"], first["value"], first["currency"], first["text"]) == ("money", 15000000, "USD", "١٥ مليون دولار")
    assert [m["kind"] for m in rows[3]["mentions"]] == ["money", "percent"]


def test_cli_mentions_invalid_utf8_line_is_reported_and_skipped():
    result = runner.invoke(app, ["mentions", "--lang", "en"], input=b"ok 5%\n\xff bad\n")
    assert result.exit_code == 1
    rows = result.stdout.splitlines()
    assert len(rows) == 2 and "not valid UTF-8" in result.stderr


def test_cli_version_and_help():
    assert runner.invoke(app, ["--version"]).stdout.startswith("mizan ")
    for args in (["--help"], ["extract", "--help"], ["mentions", "--help"], ["schema", "export", "--help"], ["eval", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_cli_python_dash_m_pipeline_is_the_same_command():
    result = subprocess.run([sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.startswith("mizan ")


@pytest.mark.parametrize("command", [["schema", "export"]])
def test_cli_schema_export_writes_every_model(tmp_path, command):
    result = runner.invoke(app, [*command, str(tmp_path)])
    assert result.exit_code == 0
    assert {p.name for p in tmp_path.iterdir()} >= {"claim.schema.json", "mention.schema.json", "run_manifest.schema.json"}
