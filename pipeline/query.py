"""`mizan query`: the claims of a batch run's store, filtered, or any read-only SQL on it.

Every filter value reaches DuckDB as a parameter, never pasted into the statement. Names
(`--entity`, a `--source` name) are matched the way the scorer matches them: folded and
mapped through the alias table, so an Arabic spelling finds the English canonical name.
`--sql` runs on a connection that is read-only and cannot touch files or extensions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, get_args

from .database import connect
from .errors import MizanError
from .models import Claim, Lang, Metric, SourceKind, Verdict

FORMATS = ("jsonl", "json", "table")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class QueryError(MizanError):
    """A filter value that means nothing here, or a `--sql` statement the store refuses."""


@dataclass(frozen=True)
class ClaimFilter:
    """What `mizan query` keeps; None means no condition."""

    entity: str | None = None
    metric: str | None = None
    since: date | None = None
    until: date | None = None
    lang: str | None = None
    verdict: str | None = None
    source: str | None = None
    limit: int | None = None


def _one_of(option: str, value: str | None, allowed: Iterable[str]) -> str | None:
    allowed = list(allowed)
    if value is not None and value not in allowed:
        raise QueryError(f"{option}: unknown value {value!r}; one of: {', '.join(allowed)}")
    return value


def _iso_date(option: str, value: str | None) -> date | None:
    """An ISO calendar date, YYYY-MM-DD, or None.

    >>> _iso_date("--since", "2025-11-03")
    datetime.date(2025, 11, 3)
    """
    if value is None:
        return None
    try:
        if not _ISO_DATE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{option}: {value!r} is not a valid ISO date (YYYY-MM-DD)") from None


def parse_filter(*, entity: str | None = None, metric: str | None = None, since: str | None = None,
                 until: str | None = None, lang: str | None = None, verdict: str | None = None,
                 source: str | None = None, limit: int | None = None) -> ClaimFilter:
    """Check the command-line values; a bad one is a `QueryError` naming the option."""
    start, end = _iso_date("--since", since), _iso_date("--until", until)
    if start and end and start > end:
        raise QueryError(f"--since {start} is after --until {end}")
    if limit is not None and limit < 1:
        raise QueryError(f"--limit must be at least 1, not {limit}")
    return ClaimFilter(
        entity=entity, metric=_one_of("--metric", metric, get_args(Metric)), since=start, until=end,
        lang=_one_of("--lang", lang, get_args(Lang)), verdict=_one_of("--verdict", verdict, get_args(Verdict)),
        source=source, limit=limit,
    )


# The group a claim is reported with: the one whose verdict was asked for, else its own fact
# group rather than a fiscal-versus-calendar pairing (keys with '~'), which a claim may join too.
PRIMARY_GROUP = """
WITH ranked AS (
    SELECT m.claim_id, g.key, g.verdict, g.independent_sources,
           row_number() OVER (PARTITION BY m.claim_id
                              ORDER BY (g.verdict = ?) DESC NULLS LAST, contains(g.key, '~'), g.key) AS rank
    FROM group_members m JOIN groups g ON g.key = m.group_key
)
"""
_CLAIMS = PRIMARY_GROUP + """
SELECT c.json, p.key, p.verdict
FROM claims c LEFT JOIN ranked p ON p.claim_id = c.id AND p.rank = 1
WHERE {conditions}
ORDER BY c.article_id, c.field DESC, c.start, c.id
"""


def _names_matching(con, column: str, wanted: str) -> list[str]:
    """The distinct values of claims.`column` that are the same name as `wanted` once
    folded and mapped through the alias table."""
    from .evaluate import canonical

    target = canonical(wanted)
    names = [row[0] for row in con.execute(f"SELECT DISTINCT {column} FROM claims WHERE {column} IS NOT NULL").fetchall()]
    return sorted(n for n in names if canonical(n) == target)


def _conditions(con, f: ClaimFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if f.entity is not None:
        where.append("list_contains(?::VARCHAR[], c.entity)")
        params.append(_names_matching(con, "entity", f.entity))
    if f.metric is not None:
        where.append("c.metric = ?")
        params.append(f.metric)
    # The article's date as ingested; its first ten characters are the calendar date in the
    # outlet's own time zone. Claims whose article has no readable date never pass a date filter.
    if f.since is not None:
        where.append("try_cast(left(c.published, 10) AS DATE) >= ?")
        params.append(f.since)
    if f.until is not None:
        where.append("try_cast(left(c.published, 10) AS DATE) <= ?")
        params.append(f.until)
    if f.lang is not None:
        where.append("c.lang = ?")
        params.append(f.lang)
    if f.verdict is not None:
        where.append("EXISTS (SELECT 1 FROM group_members m JOIN groups g ON g.key = m.group_key "
                     "WHERE m.claim_id = c.id AND g.verdict = ?)")
        params.append(f.verdict)
    if f.source is not None:
        if f.source in get_args(SourceKind):
            where.append("c.source_kind = ?")
            params.append(f.source)
        else:
            where.append("list_contains(?::VARCHAR[], c.source)")
            params.append(_names_matching(con, "source", f.source))
    return where, params


def find_claims(out: Path, f: ClaimFilter) -> list[dict[str, Any]]:
    """Claims of the store in `out` that pass `f`: each the full claim record plus
    `verdict` and `group` (the key of its consistency group; both null when it has none)."""
    con = connect(out)
    try:
        where, params = _conditions(con, f)
        sql = _CLAIMS.format(conditions="\n  AND ".join(where))
        if f.limit is not None:
            sql += "LIMIT ?"
            params.append(f.limit)
        rows = con.execute(sql, [f.verdict, *params]).fetchall()
    finally:
        con.close()
    found = []
    for record, key, verdict in rows:
        # through the model, so numbers print as the claims file has them (15000000, not 15000000.0)
        claim = Claim.model_validate_json(record).model_dump(mode="json")
        found.append({**claim, "verdict": verdict, "group": key})
    return found


# --- --sql ---------------------------------------------------------------------------------------


def run_sql(out: Path, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one read-only statement on the store."""
    import duckdb

    con = connect(out)
    try:
        # The store is read-only already; this also keeps the statement away from other files,
        # extensions (which would be downloaded) and these settings themselves.
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        try:
            result = con.execute(sql)
            columns = [d[0] for d in result.description or []]
            rows = result.fetchall() if columns else []
        except duckdb.Error as err:
            raise QueryError(_sql_error(err)) from None
    finally:
        con.close()
    return columns, rows


def _sql_error(err: Exception) -> str:
    """DuckDB's message as one line, saying plainly when the statement tried to write."""
    message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    kind = re.search(r'statement of type "(\w+)"', message)
    if "read-only mode" in message:
        return f"--sql: the store is read-only; a statement that writes ({kind.group(1) if kind else 'write'}) is refused"
    if "disabled by configuration" in message or "configuration has been locked" in message:
        return f"--sql: only the store's tables can be read, not files, extensions or settings ({message})"
    return f"--sql: {message}"


# --- output --------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """What json.dumps cannot write on its own, as JSON values."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def render(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None) -> str:
    """Rows as JSON lines, one JSON array, or a table (`columns` picks and orders its columns)."""
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False, default=_plain) + "\n" for r in rows)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, default=_plain, indent=1) + "\n"
    return _table(rows, columns or (list(rows[0]) if rows else []))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=_plain)
    return str(value) if isinstance(value, (str, int, float)) else str(_plain(value))


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    import sys

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table()
    for name in columns:
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(*(Text(_cell(r.get(c))) for c in columns))  # Text: brackets in data are not markup
    console = Console(width=None if sys.stdout.isatty() else 160)
    with console.capture() as captured:
        console.print(table)
    return captured.get()


TABLE_COLUMNS = ["article", "published", "entity", "metric", "amount", "value", "unit", "period", "time", "source", "verdict"]


def table_rows(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The main columns of each claim, for `--format table`."""
    return [{
        "article": c["article_id"], "published": c.get("published"),
        "entity": (c.get("entity") or {}).get("name"), "metric": c["metric"], "amount": c["amount"]["text"],
        "value": c["amount"]["value"] if c["amount"]["value"] is not None else f"{c['amount']['min']}-{c['amount']['max']}",
        "unit": c["amount"]["unit"], "period": (c.get("period") or {}).get("kind"),
        "time": (c.get("time") or {}).get("value"), "source": c["source"]["name"], "verdict": c.get("verdict"),
    } for c in claims]


__all__ = ["ClaimFilter", "QueryError", "FORMATS", "parse_filter", "find_claims", "run_sql", "render", "table_rows"]
