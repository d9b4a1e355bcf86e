"""Running the pipeline over input files: claims out, a manifest for every article."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from . import __version__
from .ingest import read_inputs
from .models import ClaimReport, RunCounts, RunManifest
from .stages import ArticleResult, Pipeline, Settings
from .store import atomic_write, dump_line, manifest_path, write_json


@dataclass
class Summary:
    """What a run did, in numbers, plus one line per article that failed."""

    counts: RunCounts
    output: str
    manifest: str | None
    problems: list[str] = field(default_factory=list)
    report: str | None = None  # the validation report, when one was asked for
    verdicts: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return self.counts.failed

    def line(self) -> str:
        c = self.counts
        where = f" -> {self.output}" if self.output != "-" else ""
        return f"{plural(c.articles, 'article')} ({c.ok} ok, {c.partial} partial, {c.failed} failed), {c.claims} claims{where}"


def plural(n: int, noun: str) -> str:
    """'1 article', '2 articles'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def problem_line(report: ClaimReport) -> str:
    """Where a failed article came from and why, once: an ingest message that already
    names its file, or its line ("line 2: invalid JSON"), is not prefixed with it again.

    >>> from pipeline.models import Issue
    >>> problem_line(ClaimReport(article_id="a.jsonl:2", origin="a.jsonl:2", status="failed",
    ...     issues=[Issue(code="I001", message="line 2: invalid JSON (x)")]))
    'a.jsonl: line 2: invalid JSON (x)'
    >>> problem_line(ClaimReport(article_id="b.txt", origin="b.txt", status="failed",
    ...     issues=[Issue(code="I007", message="b.txt: not valid UTF-8 (y)")]))
    'b.txt: not valid UTF-8 (y)'
    """
    where = report.origin or report.article_id
    message = "; ".join(i.message for i in report.issues)
    if message.startswith(f"{where}: "):
        return message
    path, _, line = where.rpartition(":")
    if path and line.isdigit() and message.startswith(f"line {line}: "):
        where = path
    return f"{where}: {message}"


def count(reports: Iterable[ClaimReport]) -> RunCounts:
    counts = RunCounts()
    for r in reports:
        counts.articles += 1
        setattr(counts, r.status, getattr(counts, r.status) + 1)
        counts.claims += r.claims
    return counts


def extract_files(
    inputs: list[Path],
    output: Path | None,
    manifest: Path | None = None,
    *,
    ner_model: Path | None = None,
    started: str | None = None,
    report: Path | None = None,
) -> Summary:
    """Extract claims from every input; write them (atomically) and the manifest; with
    `report`, also validate them across articles and write the validation report there."""
    started = started or datetime.now(timezone.utc).isoformat(timespec="seconds")
    pipeline = Pipeline(Settings(ner_model=ner_model))
    results = pipeline.run(read_inputs(inputs))
    reports: list[ClaimReport] = []
    problems: list[str] = []
    kept: list[ArticleResult] = []  # only when validating: it needs every claim at once

    def claims_of(items: Iterable[ArticleResult]):
        for result in items:
            reports.append(result.report)
            if report is not None and result.article is not None:
                kept.append(result)
            if result.report.status == "failed":
                problems.append(problem_line(result.report))
            yield from result.claims

    if output is None:
        for claim in claims_of(results):
            sys.stdout.write(dump_line(claim))
        sys.stdout.flush()
    else:
        with atomic_write(output) as handle:
            for claim in claims_of(results):
                handle.write(dump_line(claim))
    counts = count(reports)
    if manifest is None and output is not None:
        manifest = manifest_path(output)
    record = RunManifest(
        pipeline_version=__version__, started=started,
        finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        inputs=[str(p) for p in inputs], output=str(output) if output else None,
        counts=counts, articles=reports,
    )
    if manifest is not None:
        write_json(manifest, record)
    summary = Summary(counts, str(output) if output else "-", str(manifest) if manifest else None, problems)
    if report is not None:
        from .validate import validate

        checked = validate([c for r in kept for c in r.claims], [r.article for r in kept if r.article is not None])
        write_json(report, checked)
        summary.report, summary.verdicts = str(report), dict(checked.counts)
    return summary


def demo_summary(summary, out: Path) -> None:
    """A short human summary of a batch run: per-article results, the verdicts worth a
    look, and where the outputs are."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="Mizan: claims per article", show_lines=False)
    for column in ("article", "lang", "run", "status", "amounts", "claims", "issues"):
        table.add_column(column)
    for row in summary.manifest.articles:
        codes = ", ".join(sorted({i.code for i in row.issues})) or "-"
        table.add_row(row.article_id, row.lang or "?", row.action, row.status, str(row.mentions), str(row.claims), codes)
    console.print(table)
    report = out / "validation.json"
    if report.exists():
        console.print(verdict_table(report))
    console.print(summary.line())
    console.print(f"outputs:  {out}/claims.jsonl, articles.jsonl, mentions.jsonl, validation.json, mizan.duckdb")
    console.print(f"try:      mizan query --out {out} --verdict conflicting")
    console.print(f"          mizan validate {out}/claims.jsonl --articles {out}/articles.jsonl --format text")


def verdict_table(report: Path, limit: int = 12):
    """The validation verdicts worth a reader's eye first: conflicts, derivations, agreement."""
    from rich.table import Table

    from .models import ValidationReport

    checked = ValidationReport.model_validate_json(report.read_text(encoding="utf-8"))
    order = {"conflicting": 0, "derived_consistent": 1, "corroborated": 2, "not_comparable": 3}
    rows = [(order[g.verdict], g.verdict, g.explanation) for g in checked.groups if g.verdict in order]
    rows += [(order.get(c.verdict, 4), f"{c.verdict} (in {c.article_id})", f"{c.arithmetic}: {c.explanation}")
             for c in checked.checks if c.verdict in order]
    counts = ", ".join(f"{n} {k}" for k, n in sorted(checked.counts.items()))
    table = Table(title=f"Mizan: consistency across articles ({counts})", show_lines=True)
    table.add_column("verdict")
    table.add_column("why")
    for _, verdict, why in sorted(rows, key=lambda r: r[0])[:limit]:
        table.add_row(verdict, why)
    if checked.copies:
        table.caption = "copies counted once: " + "; ".join(f"{', '.join(c.copies)} repeat {c.original}" for c in checked.copies)
    return table
