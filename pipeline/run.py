"""`mizan run`: the batch job over feeds, pages and files, incremental and crash-safe.

An output folder holds everything a run needs to resume:

    parts/r00003-c000012.jsonl   outcomes of one chunk (one `ArticleOutcome` per line),
                                 written to a temporary name and renamed when complete
    runs/r00003.json             the manifest of run 3: every input, processed, skipped or failed
    articles.jsonl claims.jsonl mentions.jsonl validation.json mizan.duckdb
                                 the consolidated outputs, rebuilt at the end of every run
                                 that changed what they are made of
    runs/outputs.sha256          the fingerprint of what they are made of
    manifest.json                the last run's manifest

An article is skipped when a part already holds its id with the same content hash and
pipeline version. Parts are the only state: a run killed at any point leaves complete
parts and stray temporary files (removed at the next start), so the next run redoes only
what was lost. The consolidated outputs are rebuilt from the parts, sorted by article id,
without timestamps, so an interrupted and resumed run ends with the same bytes as an
uninterrupted one. A run with nothing new that would change them (same outcomes, same
version) keeps them and renews only the store's `runs` table.
"""

from __future__ import annotations

import errno
import hashlib
import fcntl
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from . import __version__
from .database import STORE, build_store, refresh_runs
from .errors import ConfigError, MizanError, issue
from .ingest import Ingested, read_inputs
from .models import ArticleOutcome, ClaimReport, RunCounts, RunManifest
from .runner import plural
from .stages import Settings
from .store import atomic_write, json_members, write_json

log = logging.getLogger("mizan")
PARTS, RUNS = "parts", "runs"
CONSOLIDATED = "runs/outputs.sha256"  # the fingerprint of the outputs as the last complete run left them
OUTPUT_FILES = ("articles.jsonl", "claims.jsonl", "mentions.jsonl", "validation.json", "mizan.duckdb")


class OutputError(MizanError):
    """The output folder cannot be written (disk full, permissions, another run holds it)."""


@dataclass
class RunOptions:
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    engine: str = "local"
    ray_address: str | None = None
    chunk_size: int = 32
    ner_model: Path | None = None
    progress: bool | None = None  # None: a bar on a terminal, log lines otherwise
    validate: bool = True
    fetch_pages: bool = False  # fetch the page of a feed entry that has only a link


@dataclass
class RunSummary:
    manifest: RunManifest
    out: Path
    seconds: dict[str, float] = field(default_factory=dict)  # wall clock of each phase, for the summary line

    @property
    def counts(self) -> RunCounts:
        return self.manifest.counts

    def line(self) -> str:
        c = self.counts
        processed = c.articles - c.skipped
        return (f"run {self.manifest.run}: {plural(c.articles, 'article')} ({processed} processed, {c.skipped} skipped; "
                f"{c.ok} ok, {c.partial} partial, {c.failed} failed), {c.claims} new claims -> {self.out}"
                + (f" in {sum(self.seconds.values()):.1f} s ({', '.join(f'{k} {v:.1f}' for k, v in self.seconds.items())})"
                   if self.seconds else ""))


@dataclass(frozen=True)
class Stored:
    """Where one outcome lives: its part file and byte offset, and what it is."""

    article_id: str
    content_hash: str | None
    version: str
    part: str
    offset: int


# --- the output folder -------------------------------------------------------------------------


class OutputFolder:
    """The folder a run writes: a lock against a second run, parts, runs, outputs."""

    def __init__(self, out: Path):
        self.out = out
        self.parts = out / PARTS
        self.runs = out / RUNS
        self._lock_handle = None

    def open(self) -> None:
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
            self.runs.mkdir(exist_ok=True)
            handle = open(self.out / ".lock", "a+")
        except OSError as err:
            raise OutputError(f"{self.out}: cannot write the output folder ({err.strerror or err})") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise OutputError(f"{self.out}: another mizan run is writing to this folder; wait for it to finish") from None
        self._lock_handle = handle
        for stray in list(self.out.glob(".*.tmp")) + list(self.parts.glob(".*.tmp")) + list(self.runs.glob(".*.tmp")):
            stray.unlink(missing_ok=True)  # a killed run's half-written file: its work is redone

    def close(self) -> None:
        if self._lock_handle is not None:
            fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None

    def next_run(self) -> int:
        numbers = [int(p.name[1:6]) for p in list(self.parts.glob("r*.jsonl")) + list(self.runs.glob("r*.json"))
                   if p.name[1:6].isdigit()]
        return max(numbers, default=0) + 1

    def part_files(self) -> list[Path]:
        return sorted(self.parts.glob("r*.jsonl"))

    def stored(self) -> list[Stored]:
        """Every outcome in every part, in part order (later parts are newer); where each
        is, not what it holds, so that a folder of a million articles fits in memory."""
        found: list[Stored] = []
        for part in self.part_files():
            with part.open("rb") as handle:
                offset = 0
                for raw in handle:
                    article = json.loads(json_members(raw.decode("utf-8"), only="article")["article"])
                    found.append(Stored(article["id"], article.get("content_hash"), article["pipeline_version"], part.name, offset))
                    offset += len(raw)
        return found

    def report(self, where: Stored) -> ClaimReport:
        return _report_of(self.raw(where))

    def raw(self, where: Stored) -> str:
        """One outcome's line as it was written (an `ArticleOutcome` in JSON)."""
        with (self.parts / where.part).open("rb") as handle:
            handle.seek(where.offset)
            return handle.readline().decode("utf-8")


# --- the run ------------------------------------------------------------------------------------


def run_batch(sources: list[str], out: Path, options: RunOptions | None = None) -> RunSummary:
    """Process every new article of `sources` into `out` and rebuild the outputs."""
    from .engines import chunked, make_engine

    options = options or RunOptions()
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    seconds: dict[str, float] = {}
    clock = [time.monotonic()]

    def lap(phase: str) -> None:
        now = time.monotonic()
        seconds[phase] = round(now - clock[0], 2)
        clock[0] = now
    folder = OutputFolder(out)
    folder.open()
    try:
        run_no = folder.next_run()
        done = {(s.article_id, s.content_hash, s.version): s for s in folder.stored()}
        reports: list[ClaimReport] = []
        todo: list[str] = []
        current: dict[str, str | None] = {}  # article id -> content hash, for this run's inputs
        notes: dict[str, list] = {}  # article id -> what ingest repaired (U+FFFD for bad bytes ...)
        for item in _with_unique_ids(read_inputs(sources, fetch_pages=options.fetch_pages)):
            if item.article is None:
                assert item.issue is not None
                reports.append(ClaimReport(article_id=item.origin, origin=item.origin, status="failed", issues=[item.issue]))
                continue
            article = item.article
            current[article.id] = article.content_hash
            if item.notes:
                notes[article.id] = list(item.notes)
            previous = done.get((article.id, article.content_hash, __version__))
            if previous is not None:
                reports.append(folder.report(previous).model_copy(update={"action": "skipped", "origin": article.origin}))
            else:
                reports.append(ClaimReport(article_id=article.id, origin=article.origin, lang=article.lang, status="ok"))
                todo.append(article.model_dump_json())
        del done
        total = len(todo)
        lap("read")
        chunks = chunked(todo, options.chunk_size)
        del todo  # the chunks hold the articles now, until the engine has them all
        new_reports: dict[str, ClaimReport] = {}
        new_claims = 0
        if chunks:
            engine = make_engine(options.engine, options.workers, Settings(ner_model=options.ner_model), options.ray_address)
            try:
                with _progress(total, options.progress) as advance:
                    for n, lines in engine.run(chunks):
                        written = []
                        for line in lines:
                            # the report is all this process needs of an outcome (the claims and
                            # mentions, most of its bytes, are not decoded here)
                            report = _report_of(line)
                            if report.article_id in notes:
                                line = _with_notes(line, notes)
                                report = _report_of(line)
                            written.append(line)
                            new_reports[report.article_id] = report
                            new_claims += report.claims
                        _write_part(folder, run_no, n, written)
                        advance(len(lines))
            finally:
                engine.close()
        del chunks
        lap("process")
        reports = [new_reports.get(r.article_id, r) if r.action == "processed" and r.article_id in new_reports else r for r in reports]
        counts = _count(reports, new_claims)
        fingerprint = consolidate(folder, current, validate=options.validate, lap=lap)
        manifest = RunManifest(
            pipeline_version=__version__, started=started,
            finished=datetime.now(timezone.utc).isoformat(timespec="seconds"), inputs=[str(s) for s in sources],
            output=str(out), run=run_no, engine=options.engine, workers=options.workers, counts=counts, articles=reports,
        )
        _guarded(lambda: write_json(folder.runs / f"r{run_no:05d}.json", manifest), folder.runs)
        _guarded(lambda: write_json(out / "manifest.json", manifest), out)
        if fingerprint is None:
            _guarded(lambda: refresh_runs(out), out / STORE)
        else:
            _guarded(lambda: build_store(out), out / STORE)
            # written last: a run killed before this point leaves the old fingerprint, so the next rebuilds
            _guarded(lambda: _write_text(out / CONSOLIDATED, fingerprint), out)
        lap("store")
        return RunSummary(manifest, out, seconds)
    finally:
        folder.close()


def _with_unique_ids(items: Iterator[Ingested]) -> Iterator[Ingested]:
    """The same id twice in one run: the second becomes id~2 (issue I006), as in `extract`."""
    seen: dict[str, int] = {}
    for item in items:
        if item.article is not None:
            aid = item.article.id
            if aid in seen:
                seen[aid] += 1
                new_id = f"{aid}~{seen[aid]}"
                log.warning("%s", issue("I006", "ingest", article=aid, new=new_id).message)
                item = replace(item, article=item.article.model_copy(update={"id": new_id}))
            else:
                seen[aid] = 1
        yield item


def _report_of(line: str) -> ClaimReport:
    return ClaimReport.model_validate_json(json_members(line, only="report")["report"])


def _with_notes(line: str, notes: dict[str, list]) -> str:
    """Ingest's repair notes go first in the article's issues, as in `mizan extract` (the
    outcomes of articles without notes are written as the worker wrote them)."""
    outcome = ArticleOutcome.model_validate_json(line)
    extra = notes.get(outcome.article.id)
    if not extra:
        return line
    outcome.report.issues[:0] = extra
    outcome.article.issues[:0] = extra
    return outcome.model_dump_json()


def _count(reports: list[ClaimReport], new_claims: int) -> RunCounts:
    counts = RunCounts(articles=len(reports), claims=new_claims)
    for r in reports:
        setattr(counts, r.status, getattr(counts, r.status) + 1)
        if r.action == "skipped":
            counts.skipped += 1
    return counts


def _write_part(folder: OutputFolder, run_no: int, chunk: int, lines: list[str]) -> None:
    path = folder.parts / f"r{run_no:05d}-c{chunk:06d}.jsonl"

    def write() -> None:
        with atomic_write(path) as handle:
            for line in lines:
                handle.write(line + "\n")

    _guarded(write, path)


def _write_text(path: Path, text: str) -> None:
    with atomic_write(path) as handle:
        handle.write(text)


def _guarded(write, where: Path) -> None:
    """Run a write; a full disk or a refused write becomes one clear line, not a traceback."""
    try:
        write()
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            raise OutputError(f"{where}: no space left to write ({err.strerror}); what was finished is kept, "
                              "free some space and run again to resume") from None
        raise OutputError(f"{where}: cannot write ({err.strerror or err})") from None


# --- consolidation ------------------------------------------------------------------------------


def winners(stored: list[Stored], current: dict[str, str | None]) -> list[Stored]:
    """One outcome per article id, sorted by id: the one matching this run's input when
    the id is among its inputs, else the newest (a revised article replaces the old)."""
    best: dict[str, Stored] = {}
    for s in stored:  # part order: newer parts later
        want = current.get(s.article_id, "__absent__")
        held = best.get(s.article_id)
        if held is None:
            best[s.article_id] = s
        elif want != "__absent__":
            if s.content_hash == want and s.version == __version__:
                best[s.article_id] = s
        else:
            best[s.article_id] = s
    return [best[k] for k in sorted(best)]


def outputs_fingerprint(chosen: list[Stored], validate: bool) -> str:
    """What the consolidated outputs are made of: which outcome of which part, by which
    version of the pipeline, validated or not. Parts never change once written."""
    digest = hashlib.sha256(f"{__version__}\t{validate}\n".encode())
    for s in chosen:
        digest.update(f"{s.article_id}\t{s.content_hash}\t{s.version}\t{s.part}\t{s.offset}\n".encode())
    return digest.hexdigest()


def consolidate(folder: OutputFolder, current: dict[str, str | None], *, validate: bool = True,
                lap=lambda phase: None) -> str | None:
    """Rebuild the JSONL outputs and the validation report from the parts, in article-id
    order, with no timestamps (the DuckDB store is built from them afterwards). One
    outcome is in memory at a time; validation reads the files back by offset.

    Returns the outputs' fingerprint, or None when the outputs of the last complete run
    are made of the same outcomes (a daily re-run with nothing new): they are kept as they
    are, since rebuilding would give the same bytes."""
    from .validate import validate_files

    chosen = winners(folder.stored(), current)
    out = folder.out
    fingerprint = outputs_fingerprint(chosen, validate)
    marker = out / CONSOLIDATED
    wanted = [f for f in OUTPUT_FILES if validate or f != "validation.json"]
    if marker.exists() and marker.read_text(encoding="utf-8") == fingerprint and all((out / f).exists() for f in wanted):
        lap("outputs")
        return None
    marker.unlink(missing_ok=True)  # the outputs are about to change: an old fingerprint would no longer hold

    def write_all() -> None:
        with atomic_write(out / "articles.jsonl") as arts, atomic_write(out / "claims.jsonl") as cls, \
                atomic_write(out / "mentions.jsonl") as mns:
            for where in chosen:
                # the records as the worker wrote them: sliced from the outcome, not decoded and
                # encoded again through the models (the same bytes, several times faster)
                outcome = json_members(folder.raw(where), arrays=True)
                arts.write(outcome["article"] + "\n")
                for c in outcome.get("claims", ()):
                    cls.write(c + "\n")
                for m in outcome.get("mentions", ()):
                    mns.write(m + "\n")

    _guarded(write_all, out)
    lap("outputs")
    if validate:
        _guarded(lambda: validate_files(out / "claims.jsonl", out / "articles.jsonl", out / "validation.json", stamp=False), out)
        lap("validate")
    else:
        (out / "validation.json").unlink(missing_ok=True)  # a stale report would not match the claims
    return fingerprint


# --- progress -----------------------------------------------------------------------------------


class _progress:
    """A rich progress bar on a terminal; a log line every ~10 % otherwise."""

    def __init__(self, total: int, show: bool | None):
        self.total = total
        self.bar = sys.stderr.isatty() if show is None else show
        self.done = 0
        self._next = max(1, total // 10)
        self._started = time.monotonic()

    def __enter__(self):
        if self.bar:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._rich = Progress(TextColumn("mizan"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True)
            self._rich.start()
            self._task = self._rich.add_task("articles", total=self.total)
        return self.advance

    def advance(self, n: int) -> None:
        self.done += n
        if self.bar:
            self._rich.update(self._task, advance=n)
        elif self.done >= self._next or self.done == self.total:
            rate = self.done / max(time.monotonic() - self._started, 1e-9)
            print(f"mizan: {self.done}/{self.total} articles ({rate:.0f}/s)", file=sys.stderr, flush=True)
            self._next = self.done + max(1, self.total // 10)

    def __exit__(self, *exc) -> None:
        if self.bar:
            self._rich.stop()


__all__ = ["RunOptions", "RunSummary", "run_batch", "consolidate", "winners", "OutputError", "ConfigError"]
