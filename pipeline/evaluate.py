"""Scoring: the amount grammar against peer test suites, claims against gold files.

Peer suites (`../shared/peer-suites/*.jsonl`, from Duckling, Recognizers-Text and
NeMo) are scored as their README says: a case is right when every expected item
comes back with the same kind, an equal value (or min and max) and, where the case
names one, the same ISO currency; a negative case must yield nothing of the
suite's kind. Three reading rules, stated here because they change counts:

- an expected plain `number` is also found inside a money or percent mention of
  the same value (Recognizers' number model reads "$20" as the number 20);
- an exact mention is the interval [value, value] when a case expects min = max;
- a sub-unit case ("10 cents", value 10 in cents) is compared in main units
  (0.10), which is how Mizan reports money (satoshis, which are not hundredths,
  are compared as written).

Cases the peers got wrong are listed with a reason in
`corpora/peer-exceptions.yaml`; they are counted and reported apart, never
dropped silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import yaml

from .grammar import find_mentions
from .models import Mention

EXCEPTIONS_FILE = Path(__file__).resolve().parent.parent / "corpora" / "peer-exceptions.yaml"
_TOLERANCE = 1e-9
_WHOLE_SUBUNITS = {"Satoshi"}  # a satoshi is 1e-8 bitcoin: Mizan reports satoshis as written


def suite_kinds(path: Path) -> set[str]:
    """What a suite file tests, from its name: its negative cases forbid these kinds."""
    name = path.stem
    if "ordinal" in name:
        return {"ordinal"}
    if "percent" in name:
        return {"percent"}
    if "money" in name or "currency" in name:
        return {"money"}
    if "nemo" in name:
        return {"number", "percent", "money"}
    return {"number"}


def _close(a: float | None, b: float | Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    a, b = float(a), float(b)
    return abs(a - b) <= _TOLERANCE * max(1.0, abs(a), abs(b))


def _interval(m: Mention) -> tuple[Decimal | None, Decimal | None]:
    if m.qualifier in ("range", "at_least", "at_most"):
        return m.min, m.max
    return m.value, m.value


def item_matches(expected: dict[str, Any], m: Mention) -> bool:
    """One expected peer item against one mention, by the rules in the module docstring."""
    kind = expected["kind"]
    if not (m.kind == kind or (kind == "number" and m.kind in ("money", "percent"))):
        return False
    value = expected.get("value")
    if value is not None:
        if expected.get("subunit") and expected.get("unit_raw") not in _WHOLE_SUBUNITS:
            value = value / 100
        got = m.value if m.value is not None else None
        if not _close(value, got):
            return False
    else:
        lo, hi = _interval(m)
        if not (_close(expected.get("min"), lo) and _close(expected.get("max"), hi)):
            return False
    currency = expected.get("currency")
    if currency is not None and kind == "money" and m.unit != currency:
        return False
    return True


def scorable(expected: dict[str, Any]) -> bool:
    return any(expected.get(k) is not None for k in ("value", "min", "max"))


@dataclass
class CaseResult:
    id: str
    text: str
    passed: bool
    scorable: bool
    exception: str | None
    expected: list[dict[str, Any]]
    got: list[Mention]


def score_case(case: dict[str, Any], kinds: set[str], exceptions: dict[str, str]) -> CaseResult:
    mentions = find_mentions(case["text"], case["lang"])
    expected = case["expected"]
    reason = exceptions.get(case["id"])
    if not expected:
        passed = not any(m.kind in kinds for m in mentions)
        return CaseResult(case["id"], case["text"], passed, True, reason, expected, mentions)
    items = [e for e in expected if scorable(e)]
    if not items:
        return CaseResult(case["id"], case["text"], True, False, reason, expected, mentions)
    free = list(mentions)
    passed = True
    for e in items:
        hit = next((m for m in free if item_matches(e, m)), None)
        if hit is None:
            passed = False
            break
        free.remove(hit)
    return CaseResult(case["id"], case["text"], passed, True, reason, expected, mentions)


@dataclass
class SuiteScore:
    name: str
    lang: str
    cases: int = 0
    scored: int = 0
    passed: int = 0
    exceptions: int = 0  # documented peer errors, among the scored
    exceptions_failed: int = 0
    failures: list[CaseResult] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Right answers over all scorable cases (documented exceptions count as wrong when we fail them)."""
        return self.passed / self.scored if self.scored else 0.0

    @property
    def accuracy_without_exceptions(self) -> float:
        """Right answers over scorable cases that are not documented peer errors."""
        base = self.scored - self.exceptions
        return (self.passed - (self.exceptions - self.exceptions_failed)) / base if base else 0.0


def load_exceptions(path: Path = EXCEPTIONS_FILE) -> dict[str, str]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return {row["id"]: row["reason"] for row in data}


def score_suite(path: Path, exceptions: dict[str, str] | None = None) -> SuiteScore:
    exceptions = load_exceptions() if exceptions is None else exceptions
    kinds = suite_kinds(path)
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    score = SuiteScore(path.stem, cases[0]["lang"] if cases else "?")
    for case in cases:
        result = score_case(case, kinds, exceptions)
        score.cases += 1
        if not result.scorable:
            continue
        score.scored += 1
        score.passed += result.passed
        if result.exception is not None:
            score.exceptions += 1
            score.exceptions_failed += not result.passed
        if not result.passed:
            score.failures.append(result)
    return score


def score_suites(paths: Iterable[Path]) -> list[SuiteScore]:
    exceptions = load_exceptions()
    return [score_suite(p, exceptions) for p in paths]


def exception_totals(scores: list[SuiteScore]) -> dict[str, dict[str, int]]:
    """Per language: passed and scored, over all cases and without documented exceptions."""
    out: dict[str, dict[str, int]] = {}
    for s in scores:
        row = out.setdefault(s.lang, {"passed": 0, "scored": 0, "passed_clean": 0, "scored_clean": 0, "exceptions": 0})
        row["passed"] += s.passed
        row["scored"] += s.scored
        row["exceptions"] += s.exceptions
        row["scored_clean"] += s.scored - s.exceptions
        row["passed_clean"] += s.passed - (s.exceptions - s.exceptions_failed)
    return out


def print_suite_scores(paths: list[Path], show_failures: int = 0) -> None:
    """The table `mizan eval mentions` prints."""
    from rich.console import Console
    from rich.table import Table

    scores = score_suites(paths)
    table = Table(title="Amount grammar on peer suites")
    for col in ("suite", "lang", "cases", "scored", "right", "accuracy", "documented exceptions", "accuracy without them"):
        table.add_column(col, justify="right" if col not in ("suite", "lang") else "left", no_wrap=col == "suite")
    for s in scores:
        table.add_row(s.name, s.lang, str(s.cases), str(s.scored), str(s.passed), f"{s.accuracy:.1%}", str(s.exceptions), f"{s.accuracy_without_exceptions:.1%}")
    for lang, row in sorted(exception_totals(scores).items()):
        table.add_row(f"all {lang}", lang, "", str(row["scored"]), str(row["passed"]), f"{row['passed'] / row['scored']:.1%}",
                      str(row["exceptions"]), f"{row['passed_clean'] / row['scored_clean']:.1%}", style="bold")
    console = Console()
    console.print(table)
    if show_failures:
        for s in scores:
            for f in s.failures[:show_failures]:
                expected = [(e["kind"], e.get("value"), e.get("min"), e.get("max"), e.get("currency")) for e in f.expected]
                got = [(m.kind, m.value, m.min, m.max, m.unit, m.text) for m in f.got]
                note = f" [exception: {f.exception}]" if f.exception else ""
                console.print(f"{f.id}: {f.text!r} expected {expected} got {got}{note}", markup=False)
