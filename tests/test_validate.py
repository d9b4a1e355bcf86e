"""Consistency checks: tolerance from the words, conversion at the claim's date, verdicts."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from currency_converter import CurrencyConverter
from helpers import ROOT, SAMPLE
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.grammar import find_mentions
from pipeline.ingest import read_inputs
from pipeline.models import Amount, Article, Claim, EntityRef, ObjectRef, Period, Source, Span, TimeRef, ValidationReport
from pipeline.stages import Pipeline
from pipeline.validate import find_copies, usd_rate, validate, written_interval

B = Decimal(10) ** 9
M = Decimal(10) ** 6


def amount_of(text: str, lang: str) -> Amount:
    """The amount the grammar reads from `text` (its one money or percent mention)."""
    found = [m for m in find_mentions(text, lang) if m.kind in ("money", "percent")]
    assert len(found) == 1, found
    m = found[0]
    return Amount(value=m.value, min=m.min, max=m.max, unit=m.unit, unit_raw=m.unit_raw,
                  qualifier=m.qualifier, text=m.text, start=m.start, end=m.end)


_COUNTER = iter(range(10**6))


def claim(text: str, *, article: str, lang: str = "en", entity: str = "OpenAI", metric: str = "spending",
          period: str | None = "day", time: str | None = None, published: str = "2025-10-05",
          obj: str | None = None) -> Claim:
    a = amount_of(text, lang)
    return Claim(
        id=f"{article}#c{next(_COUNTER)}", article_id=article, lang=lang,
        entity=EntityRef(name=entity, text=entity, start=None, end=None),
        object=ObjectRef(name=obj) if obj else None, metric=metric, amount=a,
        period=Period(kind=period) if period else None, time=TimeRef(text=time, value=time) if time else None,
        source=Source(name="article", kind="article"), evidence=Span(text=text, start=0, end=len(text)),
        confidence=0.9, rule="test", published=published,
    )


def group_of(report: ValidationReport, metric: str | None = None):
    groups = [g for g in report.groups if metric is None or g.metric == metric]
    assert len(groups) == 1, [(g.key, g.verdict) for g in report.groups]
    return groups[0]


# --- tolerance from what was written -----------------------------------------------------------


@pytest.mark.parametrize(
    "text, lang, lo, hi",
    [
        ("5.4 مليارات دولار", "ar", Decimal("5.35") * B, Decimal("5.45") * B),  # the last written digit
        ("15 million dollars", "en", Decimal("14.5") * M, Decimal("15.5") * M),
        ("٢٧٪", "ar", Decimal("26.5"), Decimal("27.5")),
        ("$12.25 billion", "en", Decimal("12.245") * B, Decimal("12.255") * B),
        # a hedge widens by 10 % of the value on each side, on top of the rounding
        ("نحو 5.4 مليارات دولار", "ar", Decimal("4.81") * B, Decimal("5.99") * B),
        ("about $500 billion", "en", Decimal("449.5") * B, Decimal("550.5") * B),
        # intervals: open ends stay open, ranges keep both ends
        ("أكثر من 3 مليارات دولار", "ar", Decimal("2.5") * B, None),
        ("up to $10.3 billion", "en", None, Decimal("10.35") * B),
        ("بين 10 و15 مليون دولار", "ar", Decimal("9.5") * M, Decimal("15.5") * M),
        # a fraction of a scale word is a round figure, good to 5 %
        ("half a billion dollars", "en", Decimal("475") * M, Decimal("525") * M),
    ],
)
def test_written_interval_follows_the_words(text, lang, lo, hi):
    got = written_interval(claim(text, article="a", lang=lang))
    assert got == (lo, hi)


# --- money at the claim's date -------------------------------------------------------------------


def test_euro_converts_at_the_ecb_rate_of_that_day():
    rate, how = usd_rate("EUR", date(2025, 10, 1))
    expected = CurrencyConverter(decimal=True, fallback_on_missing_rate=True).convert(1, "EUR", "USD", date=date(2025, 10, 1))
    assert rate == Decimal(expected) and Decimal("1.0") < rate < Decimal("1.3")
    assert "ECB" in how and "2025-10-01" in how


def test_pegged_currency_uses_the_peg_only_from_its_start():
    rate, how = usd_rate("SAR", date(2015, 7, 21))
    assert rate == Decimal(1) / Decimal("3.75") and "peg" in how
    before, why = usd_rate("SAR", date(1980, 1, 1))
    assert before is None and "no SAR/USD rate" in why


def test_no_rate_is_said_not_guessed():
    # The ECB history starts in 1999; the Reuters stories are from 1987.
    rate, why = usd_rate("JPY", date(1987, 3, 2))
    assert rate is None and "JPY" in why and "1987-03-02" in why
    rate, why = usd_rate("KWD", date(2015, 7, 21))  # neither in the ECB history nor pegged on file
    assert rate is None and "KWD" in why
    rate, why = usd_rate("EUR", None)
    assert rate is None and "no date" in why


def test_a_pair_with_no_rate_is_not_comparable_and_says_why():
    report = validate([
        claim("15 million dollars", article="a", published="1987-03-02"),
        claim("2.2 billion yen", article="b", published="1987-03-02"),
    ])
    g = group_of(report)
    assert g.verdict == "not_comparable"
    assert "JPY" in g.explanation and not g.conflicts


def test_currencies_are_compared_in_dollars_at_the_date():
    report = validate([
        claim("15 million dollars", article="a", lang="en"),
        claim("56.25 مليون ريال سعودي", article="b", lang="ar"),
        claim("roughly 13 million euros", article="c", lang="en"),
    ])
    g = group_of(report)
    assert g.verdict == "corroborated", g.explanation
    assert g.independent_sources == 3 and all(m.interval.unit == "USD" for m in g.members)
    assert "compared in USD" in g.explanation


# --- verdicts ------------------------------------------------------------------------------------------


def test_disjoint_intervals_conflict_and_name_both_articles_and_spans():
    report = validate([
        claim("about $15 million", article="a"),
        claim("نحو ١٥ مليون دولار", article="b", lang="ar"),
        claim("نحو 25 مليون دولار", article="c", lang="ar"),
    ])
    g = group_of(report)
    assert g.verdict == "conflicting"
    (conflict,) = g.conflicts  # the odd figure against the nearest one of those that agree
    assert conflict.articles[1] == "c" and conflict.articles[0] in ("a", "b") and not conflict.minor
    assert conflict.evidence[0].text and conflict.evidence[1].text
    assert [len(s) for s in g.agreement] == [2, 1]  # the two that agree, then the odd one out
    assert "2 independent stories agree" in g.explanation and "article c" in g.explanation
    assert len(g.members) == 3  # nothing is deleted
    assert {i.code for issues in report.claim_issues.values() for i in issues} == {"V030"}


def test_rounding_and_hedges_are_not_conflicts():
    report = validate([
        claim("about $15 million", article="a"),
        claim("$15.4 million", article="b"),
        claim("more than $14 million", article="c"),
    ])
    assert group_of(report).verdict == "corroborated"


def test_a_gap_under_one_percent_is_a_minor_difference_not_a_conflict():
    report = validate([
        claim("900.1 مليون ريال سعودي", article="a", lang="ar", metric="loss", period="quarter"),
        claim("901 مليون ريال سعودي", article="b", lang="ar", metric="loss", period="quarter"),
        claim("900 مليون ريال سعودي", article="c", lang="ar", metric="loss", period="quarter"),
    ])
    g = group_of(report)
    assert g.verdict == "corroborated"
    assert len(g.conflicts) == 1 and g.conflicts[0].minor and g.conflicts[0].gap < 0.01
    assert "small differences" in g.explanation
    assert {i.code for issues in report.claim_issues.values() for i in issues} == {"V031"}


def test_an_article_with_several_figures_conflicts_only_over_one_without_a_match():
    # Two expense changes the extractor could not tell apart land under one key in both stories.
    report = validate([
        claim("$81 million", article="a", metric="other", period="quarter", obj="expenses"),
        claim("$45 million", article="a", metric="other", period="quarter", obj="expenses"),
        claim("81 million dollars", article="b", metric="other", period="quarter", obj="expenses"),
        claim("45 million dollars", article="b", metric="other", period="quarter", obj="expenses"),
    ])
    assert group_of(report).verdict == "corroborated"


def test_an_ambiguous_currency_is_not_comparable():
    report = validate([claim("81 million riyals", article="a"), claim("81 million riyals", article="b")])
    g = group_of(report)
    assert g.verdict == "not_comparable" and "ambiguous" in g.explanation


def test_one_story_is_single_source():
    g = group_of(validate([claim("$15 million", article="a")]))
    assert g.verdict == "single_source" and g.independent_sources == 1


def test_fiscal_and_calendar_years_are_never_compared():
    report = validate([
        claim("$4.1 billion", article="a", metric="loss", period="year", time="FY2025"),
        claim("$13 billion", article="b", metric="loss", period="year", time="2025"),
    ])
    verdicts = {g.time: g.verdict for g in report.groups}
    assert verdicts["FY2025 vs 2025"] == "not_comparable"
    assert not any(g.verdict == "conflicting" for g in report.groups)
    mismatch = next(g for g in report.groups if g.time == "FY2025 vs 2025")
    assert "fiscal" in mismatch.explanation


def test_percentages_and_money_are_different_facts():
    report = validate([
        claim("27%", article="a", metric="stake", period=None),
        claim("$135 billion", article="b", metric="stake", period=None),
    ])
    assert sorted(g.verdict for g in report.groups) == ["single_source", "single_source"]


def test_a_figure_of_metric_other_without_an_object_is_never_grouped():
    # an order of one story and a share sale of another are both "other": not one fact
    report = validate([
        claim("up to $10.3 billion", article="a", metric="other", period=None),
        claim("about $1.4 trillion", article="b", metric="other", period=None),
        claim("$7.5 million", article="c", metric="other", period=None, obj="order"),
    ])
    assert [(g.object, g.verdict) for g in report.groups] == [("order", "single_source")]
    assert report.claims == 3


def test_spending_and_cost_of_the_same_thing_line_up():
    report = validate([
        claim("$15 million", article="a", metric="spending", obj="Sora"),
        claim("15 million dollars", article="b", metric="cost", obj="Sora"),
    ])
    g = group_of(report)
    assert g.verdict == "corroborated" and g.metric == "spending"


# --- copies are not corroboration --------------------------------------------------------------------


STORY = ("The company said on Tuesday that its quarterly revenue rose to 4.2 billion dollars, helped by "
         "strong demand for its cloud services in Europe and Asia, and that it would hire two thousand engineers "
         "next year to keep up with orders from banks and retailers.")


def test_a_rewritten_copy_counts_once():
    copy = STORY.replace("on Tuesday", "on Tuesday, according to a statement,")
    other = "A rival firm reported revenue of 4.2 billion dollars for the quarter, in a statement with no other detail."
    articles = [Article(id=i, lang="en", text=t, date=d) for i, t, d in (("orig", STORY, "2025-10-01"), ("copy", copy, "2025-10-02"), ("rival", other, "2025-10-01"))]
    assert find_copies({a.id: a.text for a in articles}, {a.id: a.date for a in articles}) == {"copy": "orig"}
    report = validate([
        claim("4.2 billion dollars", article="orig", metric="revenue", period="quarter"),
        claim("4.2 billion dollars", article="copy", metric="revenue", period="quarter"),
    ], articles)
    g = group_of(report)
    assert g.verdict == "single_source" and "copy" in g.explanation
    assert [(c.original, c.copies) for c in report.copies] == [("orig", ["copy"])]


# --- relations inside one article ---------------------------------------------------------------------


def test_a_daily_rate_times_365_against_the_yearly_total():
    good = validate([
        claim("roughly $15 million", article="a"),
        claim("about $5.4 billion", article="a", period="year"),
    ])
    (check,) = good.checks
    assert check.kind == "rate_times_period" and check.verdict == "derived_consistent"
    assert "x 365" in check.arithmetic
    bad = validate([
        claim("$15 million", article="a"),
        claim("$2 billion", article="a", period="year"),
    ])
    assert bad.checks[0].verdict == "conflicting"


def test_stake_and_its_value_imply_the_valuation():
    report = validate([
        claim("نحو 27%", article="a", lang="ar", entity="Microsoft", metric="stake", period=None, obj="OpenAI"),
        claim("نحو 135 مليار دولار", article="a", lang="ar", entity="Microsoft", metric="stake_value", period=None, obj="OpenAI"),
        claim("about $500 billion", article="b", entity="OpenAI", metric="valuation", period=None),
    ])
    (check,) = report.checks
    assert check.kind == "stake_implied_valuation" and check.verdict == "derived_consistent"
    assert "implied valuation of OpenAI" in check.arithmetic
    valuation = group_of(report, "valuation")
    assert valuation.verdict == "derived_consistent"  # one story states it, another's figures imply it


def test_a_yearly_figure_implied_by_another_storys_daily_rate():
    report = validate([
        claim("$15 million", article="a"),
        claim("about $5.4 billion", article="b", period="year"),
    ])
    yearly = next(g for g in report.groups if g.period == "year")
    assert yearly.verdict == "derived_consistent" and "x 365" in yearly.explanation


def test_unit_cost_and_total_imply_a_volume():
    text = "Each clip costs about $1.30 and users make some 11,500,000 clips a day, for about $15 million a day."
    article = Article(id="a", lang="en", text=text, date="2025-10-05")
    report = validate([
        claim("about $1.30", article="a", metric="cost", period="per_unit"),
        claim("about $15 million", article="a", metric="cost", period="day"),
    ], [article])
    (check,) = report.checks
    assert check.kind == "per_unit_times_volume" and check.verdict == "derived_consistent"
    assert "11,500,000" in check.arithmetic


# --- the sample corpus --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_report() -> ValidationReport:
    articles = [i.article for i in read_inputs([SAMPLE]) if i.article]
    pipeline = Pipeline()
    claims = [c for a in articles for c in pipeline.process(a).claims]
    return validate(claims, articles)


def test_sample_planted_conflict_is_found_and_explained(sample_report):
    # sample-ar-04 puts Sora's daily cost at 25 million dollars; every other story says about 15.
    conflicts = [g for g in sample_report.groups if g.verdict == "conflicting" and g.entity == "OpenAI" and g.period == "day"]
    assert len(conflicts) == 1
    g = conflicts[0]
    assert all("sample-ar-04" in c.articles for c in g.conflicts)
    odd = {m.claim_id for m in g.members if m.article_id == "sample-ar-04"}
    assert set(g.agreement[-1]) <= odd  # the odd one out is the planted figure
    assert "sample-ar-04" in g.explanation and "25" in g.explanation


def test_sample_conflicts_are_only_the_planted_one(sample_report):
    conflicts = [(g.entity, g.metric, g.period) for g in sample_report.groups if g.verdict == "conflicting"]
    assert conflicts == [("OpenAI", "spending", "day")]


def test_sample_agreement_crosses_digits_words_and_currencies(sample_report):
    g = next(g for g in sample_report.groups if g.verdict == "conflicting" and g.entity == "OpenAI" and g.period == "day")
    agreeing = [m for m in g.members if m.claim_id in g.agreement[0]]
    texts = " ".join(m.text for m in agreeing)
    assert "١٥" in texts  # Eastern Arabic digits
    assert "خمسة عشر" in texts  # words
    assert "$15 million" in texts  # English
    assert len({m.copy_of or m.article_id for m in agreeing}) >= 5
    riyals = [m for m in agreeing if "ريال" in m.text]  # 56.25 million riyals a day is 15 million dollars at the peg
    assert riyals and all(m.interval.note.startswith("SAR peg") for m in riyals)


def test_sample_copy_is_detected(sample_report):
    assert [(c.original, c.copies) for c in sample_report.copies] == [("sample-en-01", ["sample-en-02"])]


# --- the command ----------------------------------------------------------------------------------------


def test_cli_validate_writes_a_schema_valid_report(tmp_path):
    import jsonschema

    runner = CliRunner()
    claims = tmp_path / "claims.jsonl"
    result = runner.invoke(app, ["extract", str(SAMPLE), "-o", str(claims), "--validate"])
    assert result.exit_code == 0, result.output
    report = tmp_path / "claims.validation.json"
    data = json.loads(report.read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "schemas" / "validation_report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert data["counts"].get("conflicting", 0) >= 1

    again = runner.invoke(app, ["validate", str(claims), "--articles", str(SAMPLE), "--format", "text"])
    assert again.exit_code == 0
    assert "CONFLICTING" in again.stdout and "sample-ar-04" in again.stdout


def test_cli_validate_bad_claims_file_is_one_line(tmp_path):
    bad = tmp_path / "claims.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "claims.jsonl:1" in result.stderr


@pytest.mark.parametrize("claims", [0, 1])
def test_the_store_reads_a_report_one_group_at_a_time_as_validate_wrote_it(tmp_path, claims):
    from pipeline.database import read_report
    from pipeline.validate import validate_files

    articles = [i.article for i in read_inputs([str(SAMPLE)])]
    pipe = Pipeline()
    found = [c for a in articles for c in pipe.process(a).claims][: None if claims else 0]
    (tmp_path / "claims.jsonl").write_text("".join(c.model_dump_json() + "\n" for c in found), encoding="utf-8")
    (tmp_path / "articles.jsonl").write_text("".join(a.model_dump_json() + "\n" for a in articles), encoding="utf-8")
    report = tmp_path / "validation.json"
    validate_files(tmp_path / "claims.jsonl", tmp_path / "articles.jsonl", report, stamp=False)
    whole = json.loads(report.read_text(encoding="utf-8"))
    head, groups = read_report(report)
    assert list(groups) == whole["groups"] and (len(whole["groups"]) > 0) == bool(claims)
    assert head == {**whole, "groups": []}
    # laid out by someone else (indented): read whole, same result
    report.write_text(json.dumps(whole, indent=2, ensure_ascii=False), encoding="utf-8")
    head2, groups2 = read_report(report)
    assert list(groups2) == whole["groups"] and head2["counts"] == whole["counts"]
