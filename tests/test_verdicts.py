"""The validator on real event groups: the verdicts written down in
corpora/gold/real/verdicts.yaml, first on the gold claims (perfect extraction), then on
the extractor's own claims. Needs ../shared (the articles are not ours to copy)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import ROOT, shared_path

from pipeline.evaluate import canonical, gold_claims, load_gold
from pipeline.ingest import read_inputs
from pipeline.lexicons import safe_yaml
from pipeline.models import ConsistencyGroup, ValidationReport
from pipeline.stages import Pipeline
from pipeline.validate import validate

VERDICTS = ROOT / "corpora" / "gold" / "real" / "verdicts.yaml"
EXPECTED = safe_yaml(VERDICTS.read_text(encoding="utf-8"))["events"]


@pytest.fixture(scope="module")
def events() -> dict[str, list]:
    dev = shared_path("corpora-real", "dev")
    by_event = defaultdict(list)
    for item in read_inputs(sorted(Path(dev).glob("*.jsonl"))):
        if item.article is not None and item.article.event:
            by_event[item.article.event].append(item.article)
    return by_event


@pytest.fixture(scope="module")
def gold_reports(events) -> dict[str, ValidationReport]:
    gold = load_gold(ROOT / "corpora" / "gold" / "real")
    return {e: validate([c for a in arts if a.id in gold for c in gold_claims(gold[a.id], a)], arts) for e, arts in events.items()}


@pytest.fixture(scope="module")
def extracted_reports(events) -> dict[str, ValidationReport]:
    pipeline = Pipeline()
    return {e: validate([c for a in arts for c in pipeline.process(a).claims], arts) for e, arts in events.items()}


def _value_in(group: ConsistencyGroup, fact: dict) -> bool:
    if fact.get("value") is None:
        return True
    want = Decimal(str(fact["value"]))
    for m in group.members:
        if m.interval is None:
            continue
        lo, hi = m.interval.lo, m.interval.hi
        if m.interval.unit == fact["unit"] and (lo is None or lo <= want) and (hi is None or want <= hi):
            return True
    return any(fact["unit"] not in (None, "percent") and m.interval and m.interval.unit == "USD" for m in group.members)


def find_group(report: ValidationReport, fact: dict, *, by_object: bool) -> ConsistencyGroup | None:
    """The group that holds a fact: same entity, metric, period, time and dimension, the
    fact's value among its members, and (when asked) the same object."""
    found = []
    for g in report.groups:
        parts = g.key.split("|")
        dimension = parts[4] if "~" in parts[-1] else parts[5]  # fiscal-vs-calendar keys end in "fy2015~2015"
        if (canonical(g.entity) == canonical(fact["entity"]) and g.metric == fact["metric"]
                and (g.period or "none") == fact["period"] and (g.time or "").lower() == str(fact.get("time") or "").lower()
                and dimension == fact["dimension"] and _value_in(g, fact)):
            found.append(g)
    if by_object and fact.get("object"):
        found = [g for g in found if canonical(g.object) == canonical(fact["object"])]
    found.sort(key=lambda g: (canonical(g.object) != canonical(fact.get("object")), -len(g.members)))
    return found[0] if found else None


FACTS = [(event, n, fact) for event, spec in EXPECTED.items() for n, fact in enumerate(spec["facts"])]


def _id(case) -> str:
    event, n, fact = case
    return f"{event}:{n}:{fact['entity']}-{fact['metric']}"


@pytest.mark.parametrize("case", FACTS, ids=_id)
def test_gold_claims_get_the_expected_verdict(case, gold_reports):
    event, _, fact = case
    group = find_group(gold_reports[event], fact, by_object=True)
    assert group is not None, f"no group for {fact}"
    assert group.verdict == fact["verdict"], f"{fact['why']}\n{group.explanation}"


@pytest.mark.parametrize("event", sorted(EXPECTED))
def test_copies_are_found_as_written_down(event, gold_reports, extracted_reports):
    want = {k: sorted(v) for k, v in EXPECTED[event]["copies"].items()}
    for report in (gold_reports[event], extracted_reports[event]):
        assert {c.original: c.copies for c in report.copies} == want


@pytest.mark.parametrize("case", FACTS, ids=_id)
def test_extracted_claims_get_the_expected_verdict(case, extracted_reports):
    event, _, fact = case
    group = find_group(extracted_reports[event], fact, by_object=False)
    got = group.verdict if group else "no group"
    if fact.get("extractor_miss"):
        assert got != fact["verdict"], f"now right: drop extractor_miss from {fact} in verdicts.yaml"
        return
    assert got == fact["verdict"], f"{fact['why']}\n{group.explanation if group else ''}"
