"""The `mizan` command: thin typer commands over the pipeline's functions.

Each command parses its options, calls a plain function, and turns a known
error (`MizanError`) into one line on stderr and exit status 2. Articles that
fail are recorded in the run manifest and make the exit status 1; the run
itself goes on.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import MizanError

app = typer.Typer(
    name="mizan",
    help="Extract financial claims from Arabic and English news and weigh them against each other.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
schema_app = typer.Typer(help="JSON Schemas of every output model.", no_args_is_help=True)
eval_app = typer.Typer(help="Score the grammar and the extractor.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")
app.add_typer(eval_app, name="eval")


def fail(message: str, code: int = 2) -> typer.Exit:
    """One clear line on stderr; the caller raises what this returns."""
    typer.echo(f"mizan: {message}", err=True)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mizan {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Mizan reads news, extracts exact, grounded financial claims and checks them across articles."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@app.command()
def extract(
    inputs: Annotated[list[str], typer.Argument(metavar="INPUT", help="JSONL or .txt files, RSS/Atom feeds, HTML pages, http(s) URLs of feeds or pages, or folders of them.")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Claims JSONL file (default: stdout).")] = None,
    manifest: Annotated[Optional[Path], typer.Option(help="Where to write the run manifest (default: next to -o).")] = None,
    ner_model: Annotated[Optional[Path], typer.Option(help="Local folder of a token-classification NER model (optional).")] = None,
    validate: Annotated[bool, typer.Option("--validate", help="Also check the claims across articles (see `mizan validate`).")] = False,
    report: Annotated[Optional[Path], typer.Option(help="Where --validate writes its report (default: next to -o).")] = None,
) -> None:
    """Extract claims: one JSON line per claim, plus a manifest that accounts for every article."""
    from .runner import extract_files
    from .store import report_path

    if validate and report is None:
        if output is None:
            raise fail("--validate needs -o (or --report) to know where to write the report")
        report = report_path(output)
    try:
        summary = extract_files(inputs, output, manifest, ner_model=ner_model, started=now(), report=report if validate or report else None)
    except MizanError as err:
        raise fail(str(err)) from None
    for line in summary.problems:
        typer.echo(f"mizan: {line}", err=True)
    typer.echo(summary.line(), err=True)
    if summary.report:
        typer.echo(f"validation: {', '.join(f'{n} {k}' for k, n in sorted(summary.verdicts.items())) or 'nothing to compare'} -> {summary.report}", err=True)
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def demo(
    inputs: Annotated[list[Path], typer.Argument(help="Articles to run on (the sample corpus by default).")],
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/demo"),
) -> None:
    """Run the batch job on a corpus and print a short human summary."""
    from .run import RunOptions, run_batch
    from .runner import demo_summary

    try:
        summary = run_batch([str(p) for p in inputs], out, RunOptions(workers=1, progress=False))
    except MizanError as err:
        raise fail(str(err)) from None
    demo_summary(summary, out)
    if summary.counts.failed:
        raise typer.Exit(1)


@app.command("run")
def run_command(
    sources: Annotated[list[str], typer.Argument(help="Feeds, pages, URLs, JSONL or .txt files, or folders of them.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder; a later run into it only does new work.")],
    workers: Annotated[int, typer.Option(help="Worker processes (default: the CPU count).")] = 0,
    engine: Annotated[str, typer.Option(help="local (a process pool) or ray (Ray Data).")] = "local",
    ray_address: Annotated[Optional[str], typer.Option(help="Join this Ray cluster (default: start a local one).")] = None,
    chunk_size: Annotated[int, typer.Option(help="Articles per unit of work (and per saved part).")] = 32,
    ner_model: Annotated[Optional[Path], typer.Option(help="Local folder of a token-classification NER model (optional).")] = None,
    validate: Annotated[bool, typer.Option("--validate/--no-validate", help="Check claims across articles after the run.")] = True,
    progress: Annotated[Optional[bool], typer.Option("--progress/--no-progress", help="A progress bar (default: on a terminal).")] = None,
    fetch_pages: Annotated[bool, typer.Option("--fetch-pages", help="Fetch the page of a feed entry that has only a link (off: a feed run does not crawl).")] = False,
) -> None:
    """The batch job: every new article of SOURCES into OUT, resumable, then the store rebuilt."""
    import os

    from .run import RunOptions, run_batch
    from .runner import problem_line

    if chunk_size < 1:
        raise fail("--chunk-size must be at least 1")
    options = RunOptions(workers=workers or os.cpu_count() or 1, engine=engine, ray_address=ray_address,
                         chunk_size=chunk_size, ner_model=ner_model, progress=progress, validate=validate,
                         fetch_pages=fetch_pages)
    try:
        summary = run_batch(sources, out, options)
    except MizanError as err:
        raise fail(str(err)) from None
    for report in summary.manifest.articles:
        if report.status == "failed":
            typer.echo(f"mizan: {problem_line(report)}", err=True)
    typer.echo(summary.line(), err=True)
    if summary.counts.failed:
        raise typer.Exit(1)


@app.command("validate")
def validate_command(
    claims: Annotated[Path, typer.Argument(help="Claims JSONL written by `mizan extract`.")],
    articles: Annotated[Optional[list[Path]], typer.Option("--articles", help="The articles the claims came from (dates, copy detection); repeatable.")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Where to write the report (default: stdout).")] = None,
    format: Annotated[str, typer.Option("--format", help="json (the report model) or text (a readable table).")] = "json",
) -> None:
    """Weigh claims against each other: corroborated, conflicting, derived, single-source, not comparable."""
    from .ingest import read_inputs
    from .models import Claim
    from .store import atomic_write, read_jsonl
    from .validate import render_text, validate

    if format not in ("json", "text"):
        raise fail(f"--format must be json or text, not {format!r}")
    try:
        records = read_jsonl(claims, Claim)
        known = [item.article for item in read_inputs(articles or []) if item.article is not None]
    except MizanError as err:
        raise fail(str(err)) from None
    report = validate(records, known)
    rendered = render_text(report) if format == "text" else report.model_dump_json(indent=1) + "\n"
    if output is None:
        sys.stdout.write(rendered)
    else:
        with atomic_write(output) as handle:
            handle.write(rendered)
        typer.echo(f"{report.claims} claims, {len(report.groups)} groups: "
                   + ", ".join(f"{n} {k}" for k, n in sorted(report.counts.items())) + f" -> {output}", err=True)


@app.command()
def mentions(
    lang: Annotated[str, typer.Option(help="ar, en, or auto (detected per line).")] = "auto",
) -> None:
    """Read UTF-8 text on stdin, one document per line; write one JSON line of mentions per line."""
    from .grammar import find_mentions
    from .ingest import detect_language

    if lang not in ("ar", "en", "auto"):
        raise fail(f"--lang must be ar, en or auto, not {lang!r}")
    stdin = sys.stdin.buffer
    out = sys.stdout
    bad = 0
    for number, raw in enumerate(stdin, start=1):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as err:
            typer.echo(f"mizan: line {number}: not valid UTF-8 (byte {err.object[err.start]:#04x} at offset {err.start})", err=True)
            out.write(json.dumps({"mentions": [], "error": "invalid UTF-8"}) + "\n")
            bad += 1
            continue
        line_lang = lang if lang != "auto" else (detect_language(line) or "en")
        found = find_mentions(line, line_lang)
        out.write(json.dumps({"mentions": [m.model_dump(mode="json") for m in found]}, ensure_ascii=False) + "\n")
    out.flush()
    if bad:
        raise typer.Exit(1)


@schema_app.command("export")
def schema_export(
    folder: Annotated[Path, typer.Argument(help="Where to write the schemas.")] = Path("schemas"),
) -> None:
    """Write the JSON Schema of every output model into FOLDER."""
    from .schemas import export_schemas

    for path in export_schemas(folder):
        typer.echo(str(path))


@eval_app.command("mentions")
def eval_mentions(
    suites: Annotated[list[Path], typer.Argument(help="Peer-suite JSONL files or folders.")],
    show_failures: Annotated[int, typer.Option(help="List up to N failed cases per suite.")] = 0,
) -> None:
    """Accuracy of the amount grammar on peer test suites (Duckling, Recognizers-Text, NeMo)."""
    from .evaluate import print_suite_scores

    files: list[Path] = []
    for p in suites:
        if p.is_dir():
            files.extend(sorted(p.glob("*.jsonl")))
        elif p.is_file():
            files.append(p)
        else:
            raise fail(f"{p}: no such file or folder")
    print_suite_scores(files, show_failures)


@eval_app.command("claims")
def eval_claims(
    articles: Annotated[list[Path], typer.Argument(help="JSONL files of the articles the gold describes.")],
    gold: Annotated[Path, typer.Option(help="Folder of gold files (<lang>/<id>.json).")],
    predictions: Annotated[Optional[Path], typer.Option(help="Claims JSONL to score (default: extract now).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Precision, recall, F1 and per-field accuracy of claims against gold files."""
    from .evaluate import print_claim_scores

    try:
        print_claim_scores(articles, gold, predictions, as_json)
    except MizanError as err:
        raise fail(str(err)) from None


@app.command("query")
def query_command(
    out: Annotated[Path, typer.Option("--out", help="The output folder of a `mizan run` (holds mizan.duckdb).")],
    entity: Annotated[Optional[str], typer.Option(help="Claims about this entity, in any of its known spellings (alias table).")] = None,
    metric: Annotated[Optional[str], typer.Option(help="Claims of this metric (revenue, loss, valuation ...).")] = None,
    since: Annotated[Optional[str], typer.Option(help="Articles published on or after this ISO date (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Articles published on or before this ISO date (YYYY-MM-DD).")] = None,
    lang: Annotated[Optional[str], typer.Option(help="ar or en.")] = None,
    verdict: Annotated[Optional[str], typer.Option(help="Claims in a consistency group with this verdict (conflicting, corroborated ...).")] = None,
    source: Annotated[Optional[str], typer.Option(help="A source name (Forbes, Sam Altman ...) or kind (outlet, person, organisation, unnamed, article).")] = None,
    limit: Annotated[Optional[int], typer.Option(help="At most this many claims.")] = None,
    sql: Annotated[Optional[str], typer.Option("--sql", help="Any read-only SQL on the store instead of the filters.")] = None,
    format: Annotated[str, typer.Option("--format", help="jsonl (one claim per line), json (one array) or table.")] = "jsonl",
) -> None:
    """Claims of a batch run's store, filtered; or any read-only SQL on it."""
    from .query import FORMATS, TABLE_COLUMNS, find_claims, parse_filter, render, run_sql, table_rows

    if format not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}, not {format!r}")
    filters = {"entity": entity, "metric": metric, "since": since, "until": until, "lang": lang,
               "verdict": verdict, "source": source, "limit": limit}
    try:
        if sql is not None:
            given = [f"--{k}" for k, v in filters.items() if v is not None]
            if given:
                raise fail(f"--sql cannot be combined with {', '.join(given)}: put the condition in the SQL")
            columns, rows = run_sql(out, sql)
            sys.stdout.write(render([dict(zip(columns, r)) for r in rows], format, columns))
            return
        claims = find_claims(out, parse_filter(**filters))
    except MizanError as err:
        raise fail(str(err)) from None
    if format == "table":
        sys.stdout.write(render(table_rows(claims), "table", TABLE_COLUMNS))
    else:
        sys.stdout.write(render(claims, format))


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="The output folder of a `mizan run` (holds mizan.duckdb).")],
    format: Annotated[str, typer.Option("--format", help="parquet (claims, articles, groups tables), jsonl, checkthat or quantemp (data sets split by event).")],
    to: Annotated[Optional[Path], typer.Option("--to", help="Folder to write into (default: OUT/export/FORMAT).")] = None,
) -> None:
    """Export a batch run's store: Parquet tables, or a fact-checking data set split by event."""
    from .export import export

    try:
        summary = export(out, format, to)
    except MizanError as err:
        raise fail(str(err)) from None
    typer.echo(summary.line(), err=True)


def main() -> None:
    """Entry point of the `mizan` console script."""
    try:
        app()
    except MizanError as err:  # anything a command did not catch itself
        typer.echo(f"mizan: {err}", err=True)
        sys.exit(2)
    except BrokenPipeError:  # `mizan ... | head`
        sys.exit(0)
