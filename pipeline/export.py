"""`mizan export`: a batch run's store as Parquet tables or as a fact-checking data set.

The data set has one row per claim with its normalised fields, evidence sentence, article
metadata, the verdict of its consistency group as a weak label, and a split. Splits are
assigned by event so that one story never lands in two splits:

- an article's event is its `event` field when it has one;
- articles without one are joined to each other through copy clusters and through
  consistency groups with at least two independent sources; a joined set that links to
  articles with an event takes the event it has most links to (so a copy goes with its
  original), else it is one story named after its first article id. Two named events are
  never merged: the names already say which story each article belongs to;
- the split is a hash of the event key: sha256, first 8 bytes mod 100, under 80 train,
  under 90 dev, else test; the same key gives the same split on every run and machine.

The `quantemp` and `checkthat` formats carry the field names and label set of those data
sets (see README, "Export"); our verdict is never passed off as a truth label.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .database import connect
from .errors import MizanError
from .models import Claim
from .query import PRIMARY_GROUP
from .store import atomic_write

FORMATS = ("parquet", "jsonl", "checkthat", "quantemp")
SPLITS = ("train", "dev", "test")
# table -> its row order, so that two exports of one store give the same files
PARQUET_TABLES = {"claims": "article_id, field DESC, start, id", "articles": "id", "groups": "key"}


class ExportError(MizanError):
    """The export cannot be written (unknown format, a folder that cannot be written)."""


# --- splits by event ------------------------------------------------------------------------------


def split_of(event: str) -> str:
    """The split of an event key: stable across runs, machines and Python versions.

    >>> split_of("event:sample-ev-sora-costs")
    'dev'
    >>> [split_of(f"event:e{n}") for n in range(6)]
    ['test', 'train', 'train', 'train', 'train', 'train']
    """
    bucket = int.from_bytes(hashlib.sha256(event.encode("utf-8")).digest()[:8], "big") % 100
    return "train" if bucket < 80 else "dev" if bucket < 90 else "test"


class _Components:
    """Union-find over article ids."""

    def __init__(self, ids: Iterable[str]):
        self.parent = {i: i for i in ids}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def event_keys(events: dict[str, str | None], links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Article id -> event key, from each article's `event` field (None when absent) and
    links between articles that tell the same story (copies, shared multi-source groups).

    An article with an event keeps it. Articles without one are joined along the links;
    a joined set that reaches named events takes the one it has most links to (the first
    name on a tie), else it is a story of its own, named after its first article id.

    >>> keys = event_keys({"a": "E", "b": None, "c": None, "d": "F", "x": None, "y": None},
    ...                   [("b", "a"), ("b", "d"), ("c", "b"), ("c", "d"), ("c", "a"), ("y", "x")])
    >>> keys == {"a": "event:E", "b": "event:E", "c": "event:E", "d": "event:F", "x": "story:x", "y": "story:x"}
    True
    """
    links = [(a, b) for a, b in links if a in events and b in events and a != b]
    parts = _Components(i for i in events if not events[i])
    for a, b in links:
        if not events[a] and not events[b]:
            parts.join(a, b)
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a, b in links:
        if bool(events[a]) != bool(events[b]):
            unnamed, named = (a, b) if not events[a] else (b, a)
            votes[parts.find(unnamed)][events[named]] += 1  # type: ignore[index]
    keys = {aid: "event:" + name for aid, name in events.items() if name}
    for aid in sorted(i for i in events if not events[i]):
        root = parts.find(aid)
        tally = votes.get(root)
        keys[aid] = "event:" + min(tally, key=lambda e: (-tally[e], e)) if tally else "story:" + root
    return keys


# --- rows ------------------------------------------------------------------------------------------

# The data set's columns, in order, with what each holds: the one source for the rows,
# the columns.md written beside them and the README table.
DATASET_COLUMNS: dict[str, str] = {
    "claim_id": "the claim's id (article id, field letter, amount offsets)",
    "split": "train, dev or test, by event",
    "event": "the event key the split was drawn from (`event:NAME` or `story:FIRST-ARTICLE-ID`)",
    "article_id": "the article's id",
    "lang": "ar or en",
    "title": "the article's title",
    "outlet": "the article's outlet",
    "date": "the article's date as ingested",
    "url": "the article's URL, when known",
    "entity": "canonical name of who the amount is about",
    "entity_type": "organisation, product, person, outlet, country, index or other",
    "metric": "what the amount measures (revenue, loss, valuation ...)",
    "object": "what the amount is about besides the entity (a product, a deal), or null",
    "value": "the amount as a number (null for a range)",
    "min": "lower bound of a range or of an at-least amount",
    "max": "upper bound of a range or of an at-most amount",
    "unit": "ISO 4217 currency, percent, or null when the currency is ambiguous",
    "qualifier": "exact, approx, at_least, at_most or range",
    "amount_text": "the amount as written",
    "period": "what span the amount covers: day, quarter, year ... or none",
    "time": "which span: an ISO year, quarter, month or date, FY-prefixed for fiscal periods",
    "source": "who says so: an outlet, a person, an organisation, unnamed, or the article itself",
    "source_kind": "outlet, person, organisation, unnamed or article",
    "modality": "asserted, estimated, projected, conditional or denied",
    "evidence": "the sentence that states the claim",
    "field": "text or title: where the offsets point",
    "evidence_start": "code-point offset of the evidence sentence in that field",
    "evidence_end": "end offset of the evidence sentence",
    "verdict": "weak label: the verdict of the claim's consistency group (corroborated, conflicting, "
               "single_source, derived_consistent, not_comparable), null when it has no group",
    "group": "the key of that consistency group",
    "independent_sources": "how many independent stories the group holds",
}

# QuanTemp's columns (the same in CheckThat! 2025 Task 3's English files), and ours in them.
FACTCHECK_COLUMNS: dict[str, str] = {
    "claim": "the evidence sentence: the sentence of the article that states the claim",
    "label": "Conflicting when our verdict is conflicting, else null: nothing here is judged True or False",
    "label_original": "our verdict, unmapped (as QuanTemp keeps the fact-checker's own rating here)",
    "taxonomy_label": "interval for ranges and bounds, comparison for growth, else statistical (a heuristic; "
                      "never temporal)",
    "doc": "the article's text: where the claim was read, not a fact-check of it",
    "url": "the article's URL, when known",
    "lang": "ar or en",
    "country_of_origin": "always null: we do not know it",
}


def _taxonomy(claim: Claim) -> str:
    if claim.amount.qualifier in ("range", "at_least", "at_most"):
        return "interval"
    if claim.metric == "growth" or claim.amount.unit == "percentage_points":
        return "comparison"
    return "statistical"


@dataclass
class DatasetRow:
    row: dict[str, Any]
    text: str
    claim: Claim

    def factcheck(self) -> dict[str, Any]:
        """The row under QuanTemp's column names first, then all of ours."""
        r = self.row
        head = {
            "claim": r["evidence"], "label": "Conflicting" if r["verdict"] == "conflicting" else None,
            "label_original": r["verdict"], "taxonomy_label": _taxonomy(self.claim), "doc": self.text,
            "url": r["url"], "lang": r["lang"], "country_of_origin": None,
        }
        return head | {k: v for k, v in r.items() if k not in head}


_GROUP_OF_CLAIM = PRIMARY_GROUP + """
SELECT c.json, p.key, p.verdict, p.independent_sources
FROM claims c LEFT JOIN ranked p ON p.claim_id = c.id AND p.rank = 1
ORDER BY c.article_id, c.field DESC, c.start, c.id
"""


def dataset_rows(out: Path) -> list[DatasetRow]:
    """One row per claim of the store in `out`, with its split."""
    con = connect(out)
    try:
        return _rows(con)
    finally:
        con.close()


def _rows(con) -> list[DatasetRow]:
    articles = {r[0]: r for r in con.execute(
        "SELECT id, lang, title, outlet, date, url, event, text FROM articles").fetchall()}
    links = con.execute("SELECT original, copy FROM copies").fetchall()
    # every member article of a group with two or more independent sources, chained in id order
    links += con.execute(
        "SELECT m.article_id, lead(m.article_id) OVER (PARTITION BY m.group_key ORDER BY m.article_id) "
        "FROM group_members m JOIN groups g ON g.key = m.group_key WHERE g.independent_sources >= 2").fetchall()
    claims = con.execute(_GROUP_OF_CLAIM, [None]).fetchall()
    keys = event_keys({aid: a[6] for aid, a in articles.items()}, [(a, b) for a, b in links if b is not None])
    rows = []
    for record, group, verdict, sources in claims:
        claim = Claim.model_validate_json(record)
        article = articles.get(claim.article_id) or (None,) * 8
        event = keys.get(claim.article_id, "story:" + claim.article_id)
        rows.append(DatasetRow(_row(claim, article, event) | {"verdict": verdict, "group": group,
                                                            "independent_sources": sources}, article[7] or "", claim))
    return rows


def _row(claim: Claim, article: tuple, event: str) -> dict[str, Any]:
    """The data set's columns of one claim, up to its verdict (see DATASET_COLUMNS)."""
    _, _, title, outlet, published, url, _, _ = article
    c = claim.model_dump(mode="json")  # numbers as the claims file has them
    return {
        "claim_id": claim.id, "split": split_of(event), "event": event, "article_id": claim.article_id,
        "lang": claim.lang, "title": title, "outlet": claim.outlet or outlet, "date": claim.published or published,
        "url": url, "entity": (c["entity"] or {}).get("name"), "entity_type": (c["entity"] or {}).get("type"),
        "metric": claim.metric, "object": (c["object"] or {}).get("name"), "value": c["amount"]["value"],
        "min": c["amount"]["min"], "max": c["amount"]["max"], "unit": claim.amount.unit,
        "qualifier": claim.amount.qualifier, "amount_text": claim.amount.text,
        "period": claim.period.kind if claim.period else None, "time": claim.time.value if claim.time else None,
        "source": claim.source.name, "source_kind": claim.source.kind, "modality": claim.modality,
        "evidence": claim.evidence.text, "field": claim.field, "evidence_start": claim.evidence.start,
        "evidence_end": claim.evidence.end,
    }


# --- writing ---------------------------------------------------------------------------------------


@dataclass
class ExportSummary:
    fmt: str
    folder: Path
    files: list[Path] = field(default_factory=list)
    splits: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        if self.fmt == "parquet":
            counts = ", ".join(f"{n} {t}" for t, n in self.rows.items())
            return f"exported {counts} as parquet -> {self.folder}"
        counts = ", ".join(f"{s} {self.splits.get(s, 0)}" for s in SPLITS)
        return f"exported {sum(self.splits.values())} claims ({counts}) as {self.fmt} -> {self.folder}"


def export(out: Path, fmt: str, to: Path | None = None) -> ExportSummary:
    """Write the store in `out` as `fmt` into `to` (default: OUT/export/FMT)."""
    import duckdb

    if fmt not in FORMATS:
        raise ExportError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    folder = to or out / "export" / fmt
    con = connect(out)  # first, so that a missing store leaves no empty export folder behind
    try:
        folder.mkdir(parents=True, exist_ok=True)
        summary = ExportSummary(fmt, folder)
        if fmt == "parquet":
            _parquet(con, summary)
        else:
            _dataset(_rows(con), summary)
    except OSError as err:
        raise ExportError(f"{folder}: cannot write ({err.strerror or err})") from None
    except duckdb.IOException as err:  # COPY could not write the file
        raise ExportError(f"{folder}: cannot write ({str(err).splitlines()[0]})") from None
    finally:
        con.close()
    return summary


def _parquet(con, summary: ExportSummary) -> None:
    for table, order in PARQUET_TABLES.items():
        target = summary.folder / f"{table}.parquet"
        tmp = target.with_name(f".{target.name}.tmp")
        quoted = "'" + str(tmp).replace("'", "''") + "'"  # a path, not a value: COPY takes no parameter here
        try:
            con.execute(f"COPY (SELECT * FROM {table} ORDER BY {order}) TO {quoted} (FORMAT parquet)")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        summary.files.append(target)
        summary.rows[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


_LANGUAGE = {"ar": "arabic", "en": "english"}
_FILE_SPLIT = {"train": "train", "dev": "val", "test": "test"}  # QuanTemp and CheckThat! call dev "val"


def _dataset(rows: list[DatasetRow], summary: ExportSummary) -> None:
    for s in SPLITS:
        summary.splits[s] = sum(1 for r in rows if r.row["split"] == s)
    if summary.fmt == "jsonl":
        for s in SPLITS:
            path = summary.folder / f"{s}.jsonl"
            with atomic_write(path) as handle:
                for r in rows:
                    if r.row["split"] == s:
                        handle.write(json.dumps(r.row, ensure_ascii=False) + "\n")
            summary.files.append(path)
        columns = DATASET_COLUMNS
    elif summary.fmt == "quantemp":
        for s in SPLITS:
            summary.files.append(_json_array(summary.folder / f"{_FILE_SPLIT[s]}_claims_quantemp.json",
                                             [r.factcheck() for r in rows if r.row["split"] == s]))
        columns = FACTCHECK_COLUMNS | DATASET_COLUMNS
    else:  # checkthat: one file per language and split, as the task is run per language
        for lang, language in _LANGUAGE.items():
            for s in SPLITS:
                summary.files.append(_json_array(summary.folder / f"{_FILE_SPLIT[s]}_{language}_claims.json",
                                                 [r.factcheck() for r in rows if r.row["split"] == s and r.row["lang"] == lang]))
        columns = FACTCHECK_COLUMNS | DATASET_COLUMNS
    path = summary.folder / "columns.md"
    with atomic_write(path) as handle:
        handle.write(columns_markdown(summary.fmt, columns))
    summary.files.append(path)


def _json_array(path: Path, rows: list[dict[str, Any]]) -> Path:
    with atomic_write(path) as handle:
        handle.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    return path


def columns_markdown(fmt: str, columns: dict[str, str]) -> str:
    """The columns.md written next to an export: every column and what it holds."""
    lines = [f"# Columns of this `{fmt}` export (written by `mizan export`)", "",
             "The split is drawn by event, so one story is never in two splits. The verdict is how the "
             "news reports of one fact agree with each other, not whether the fact is true.", "",
             "| column | what it holds |", "|---|---|"]
    lines += [f"| `{name}` | {text} |" for name, text in columns.items()]
    return "\n".join(lines) + "\n"


__all__ = ["FORMATS", "SPLITS", "ExportError", "ExportSummary", "export", "dataset_rows", "event_keys", "split_of",
           "DATASET_COLUMNS", "FACTCHECK_COLUMNS"]
