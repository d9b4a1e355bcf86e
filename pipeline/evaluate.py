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

from .grammar import find_mentions
from .lexicons import safe_yaml
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
    data = safe_yaml(path.read_text(encoding="utf-8")) or []
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


# --- claims against gold files ------------------------------------------------------

CLAIM_FIELDS = ("entity", "object", "metric", "qualifier", "period", "time", "source", "modality")
_MATCH_TOLERANCE = 0.005


def canonical(name: str | None) -> str:
    """A name as the scorer compares it: folded (case, diacritics, alef and yaa forms)
    and mapped through the alias table (Open AI = OpenAI = أوبن إيه آي)."""
    from .entities import canonical_names
    from .normalize import fold_form

    if not name:
        return ""
    folded = fold_form(name).strip()
    folded = " ".join(folded.replace("_", " ").split())
    return fold_form(canonical_names().get(folded, name)).replace("_", " ").strip()


def _gold_view(claim: dict[str, Any]) -> dict[str, Any]:
    return {
        "entity": canonical(claim.get("entity")), "object": canonical(claim.get("object")),
        "metric": claim.get("metric"), "qualifier": claim.get("qualifier"), "period": claim.get("period"),
        "time": (claim.get("time") or "").lower(), "source": canonical(claim.get("source")),
        "modality": claim.get("modality"), "unit": claim.get("unit"),
        "value": claim.get("value"), "min": claim.get("min"), "max": claim.get("max"),
    }


def _predicted_view(claim) -> dict[str, Any]:
    return {
        "entity": canonical(claim.entity.name if claim.entity else None),
        "object": canonical(claim.object.name if claim.object else None),
        "metric": claim.metric, "qualifier": claim.amount.qualifier,
        "period": claim.period.kind if claim.period else "none",
        "time": ((claim.time.value if claim.time else None) or "").lower(),
        "source": canonical(claim.source.name), "modality": claim.modality, "unit": claim.amount.unit,
        "value": claim.amount.value, "min": claim.amount.min, "max": claim.amount.max,
    }


def _near(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    a, b = float(a), float(b)
    return a == b or abs(a - b) <= _MATCH_TOLERANCE * max(abs(a), abs(b))


def amounts_match(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    """The guide's rule: same unit, value (or min and max) equal within 0.5 %."""
    if gold["unit"] != pred["unit"]:
        return False
    if gold["value"] is not None:
        candidates = [pred["value"], pred["min"], pred["max"]] if pred["value"] is None else [pred["value"]]
        return any(_near(gold["value"], c) for c in candidates if c is not None)
    return _near(gold["min"], pred["min"]) and _near(gold["max"], pred["max"])


@dataclass
class ClaimScore:
    lang: str
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    strict: int = 0
    field_right: dict[str, int] = field(default_factory=lambda: {f: 0 for f in CLAIM_FIELDS})
    articles: int = 0
    misses: list[str] = field(default_factory=list)

    def prf(self, hits: int) -> tuple[float, float, float]:
        p = hits / self.predicted if self.predicted else 0.0
        r = hits / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def as_dict(self) -> dict[str, Any]:
        p, r, f1 = self.prf(self.matched)
        sp, sr, sf1 = self.prf(self.strict)
        return {
            "lang": self.lang, "articles": self.articles, "gold": self.gold, "predicted": self.predicted,
            "matched": self.matched, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
            "strict_precision": round(sp, 4), "strict_recall": round(sr, 4), "strict_f1": round(sf1, 4),
            "field_accuracy": {f: round(n / self.matched, 4) if self.matched else 0.0 for f, n in self.field_right.items()},
        }


def match_article(gold_claims: list[dict[str, Any]], predicted: list) -> list[tuple[dict, dict]]:
    """One-to-one matching; among amount matches, pairs that agree on more fields go first."""
    golds = [_gold_view(c) for c in gold_claims]
    preds = [_predicted_view(c) for c in predicted]
    pairs = []
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            if amounts_match(g, p):
                agree = sum(g[f] == p[f] for f in CLAIM_FIELDS)
                pairs.append((-agree, gi, pi))
    pairs.sort()
    used_g, used_p, out = set(), set(), []
    for _, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((golds[gi], preds[pi]))
    return out


def load_gold(folder: Path) -> dict[str, dict[str, Any]]:
    """Every gold file under `folder` (<lang>/<id>.json), by article id."""
    gold = {}
    for path in sorted(folder.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        gold[data["id"]] = data
    return gold


def score_claims(articles: Iterable[Path], gold_dir: Path, predictions: Path | None = None) -> dict[str, ClaimScore]:
    """Extract (or read) claims for every gold article and score them, per language."""
    from .ingest import read_inputs
    from .models import Claim
    from .stages import Pipeline

    gold = load_gold(gold_dir)
    if not gold:
        from .errors import InputError

        raise InputError(f"{gold_dir}: no gold files (<lang>/<id>.json)")
    by_article: dict[str, list] = {}
    if predictions is not None:
        for line in predictions.read_text(encoding="utf-8").splitlines():
            if line.strip():
                claim = Claim.model_validate_json(line)
                by_article.setdefault(claim.article_id, []).append(claim)
    else:
        pipeline = Pipeline()
        wanted = (item for item in read_inputs(articles) if item.article is not None and item.article.id in gold)
        for result in pipeline.run(wanted):
            by_article[result.report.article_id] = result.claims
    scores: dict[str, ClaimScore] = {}
    for article_id, data in gold.items():
        if predictions is None and article_id not in by_article:
            continue  # the article is not among the inputs
        score = scores.setdefault(data["lang"], ClaimScore(data["lang"]))
        predicted = by_article.get(article_id, [])
        score.articles += 1
        score.gold += len(data["claims"])
        score.predicted += len(predicted)
        for g, p in match_article(data["claims"], predicted):
            score.matched += 1
            for f in CLAIM_FIELDS:
                score.field_right[f] += g[f] == p[f]
            score.strict += g["entity"] == p["entity"] and g["metric"] == p["metric"] and g["period"] == p["period"]
    return scores


def print_claim_scores(articles: list[Path], gold_dir: Path, predictions: Path | None, as_json: bool) -> None:
    """What `mizan eval claims` prints."""
    scores = score_claims(articles, gold_dir, predictions)
    rows = [s.as_dict() for _, s in sorted(scores.items())]
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Claims against {gold_dir}")
    for col in ("lang", "articles", "gold", "predicted", "matched", "P", "R", "F1", "strict F1", *CLAIM_FIELDS):
        table.add_column(col, justify="right")
    for r in rows:
        fa = r["field_accuracy"]
        table.add_row(r["lang"], str(r["articles"]), str(r["gold"]), str(r["predicted"]), str(r["matched"]),
                      f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}", f"{r['strict_f1']:.3f}",
                      *(f"{fa[f]:.2f}" for f in CLAIM_FIELDS))
    Console(width=max(160, Console().width)).print(table)


def gold_claims(record: dict[str, Any], article) -> list:
    """The gold claims of one article as `Claim` records, so that the validator can be
    judged on perfect extraction (names mapped through the alias table, the amount's own
    span as evidence)."""
    from .entities import canonical_names
    from .models import Amount, Claim, EntityRef, ObjectRef, Period, Source, Span, TimeRef
    from .normalize import fold_form

    names = canonical_names()

    def name(raw: str | None) -> str | None:
        return names.get(" ".join(fold_form(raw).split()), raw) if raw else None

    out = []
    for n, g in enumerate(record["claims"]):
        text = article.title if g.get("field") == "title" else article.text
        span = Span(text=text[g["start"] : g["end"]], start=g["start"], end=g["end"])
        out.append(Claim(
            id=f"{record['id']}#gold{n}", article_id=record["id"], lang=record["lang"], field=g.get("field", "text"),
            entity=EntityRef(name=name(g["entity"]), text=None, start=None, end=None) if g.get("entity") else None,
            object=ObjectRef(name=g["object"]) if g.get("object") else None, metric=g["metric"],
            amount=Amount(value=g.get("value"), min=g.get("min"), max=g.get("max"), unit=g.get("unit"),
                          qualifier=g.get("qualifier", "exact"), text=span.text, start=span.start, end=span.end),
            period=Period(kind=g["period"]) if g.get("period") else None,
            time=TimeRef(text=g["time"], value=g["time"]) if g.get("time") else None,
            source=Source(name=g.get("source") or "article", kind="article"), modality=g.get("modality", "asserted"),
            evidence=span, confidence=1.0, rule="gold", published=article.date, outlet=article.outlet,
        ))
    return out
