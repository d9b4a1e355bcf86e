"""Lexicons: words as data, one folder per language, validated as they load.

Every language folder holds the same file names. Each file is read with a
pydantic model (`extra="forbid"`, so a typo in a key fails loudly), and every
form is folded with the same function as article text, so an entry typed with
another alef, a diacritic or tatweel still matches.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import LexiconError

LEXICONS = Path(__file__).parent
LANGS = ("ar", "en")

M = TypeVar("M", bound=BaseModel)


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ValueForms(Entry):
    value: int
    forms: list[str] = Field(min_length=1)


class FractionEntry(Entry):
    denominator: int = Field(gt=1)
    forms: list[str] = []
    dual: list[str] = []
    plural: list[str] = []
    after_number: list[str] = []  # a fraction only right after a number (خمس: five alone, a fifth there)
    after_number_dual: list[str] = []


class NumbersLexicon(Entry):
    atoms: list[ValueForms]
    needs_indefinite: list[str] = []
    teen_suffix: list[str]
    hundreds: list[ValueForms]
    hundred_words: list[str]
    connectors: list[str]
    indefinite: list[str]
    fractions: list[FractionEntry]
    fraction_over: list[str]
    fraction_over_words: list[str] = []
    decimal_of: list[str] = []
    part_of: list[str] = []
    decimal_point: list[str]
    reversed_decimal_marks: list[str]
    negative_words: list[str]
    pronoun_before: list[str]
    year_markers: list[str] = []
    teen_only: list[str] = []
    agreeing_one: list[str] = []
    fraction_links: list[str] = []
    codes: list[str] = []


class ScaleEntry(Entry):
    value: int = Field(gt=1)
    number: Literal["singular", "dual", "dual_or_accusative", "plural", "abbreviation"]
    glued: bool = False
    forms: list[str] = Field(min_length=1)


class OrdinalsLexicon(Entry):
    units: list[ValueForms]
    digit_suffixes: list[str] = []
    definite_cardinals: bool
    compound_only: list[str]
    article_only: list[str] = []
    not_after_ordinal: list[str] = []


class CurrencyEntry(Entry):
    unit: str
    iso: str | None = Field(pattern=r"^[A-Z]{3}$")  # required, even when null
    prefix: bool = False
    subunit: bool = False
    scale: int = 1  # MUSD, MEUR: the code carries "million"
    dual: list[str] = []  # دولاران: two by itself
    forms: list[str] = Field(min_length=1)
    countries: dict[str, list[str]] = {}


class CurrenciesLexicon(Entry):
    adjective_position: Literal["before", "after"]
    currencies: list[CurrencyEntry]


class CurrencyCodes(Entry):
    capital_only: list[str]
    after_number_only: list[str]
    codes: list[str]


class PercentLexicon(Entry):
    after: list[str]
    before: list[str]
    before_weak: list[str]
    points: list[str]
    points_dual: list[str] = []


class QualifierEntry(Entry):
    qualifier: Literal["exact", "approx", "at_least", "at_most"]
    in_span: bool = True
    forms: list[str] = Field(min_length=1)


class RangeEntry(Entry):
    open: list[str]
    middle: list[str] = Field(min_length=1)


class QualifiersLexicon(Entry):
    before: list[QualifierEntry]
    after: list[QualifierEntry]
    ranges: list[RangeEntry]
    alternatives: list[str] = []
    change_words: list[str]


class CliticsLexicon(Entry):
    proclitics: list[str]


# libyaml's C parser when PyYAML was built with it: about seven times faster than the pure
# Python one (0.05 s instead of 0.3 s for every lexicon, in every process a run starts),
# with the same safe constructors.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_yaml(text: str) -> Any:
    """Parse YAML as `yaml.safe_load` does: plain data only, a tag that would build a Python
    object is an error.

    >>> safe_yaml("- ريال\\n- {iso: SAR, scale: 1}")
    ['ريال', {'iso': 'SAR', 'scale': 1}]
    """
    loader = _SAFE_LOADER(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_yaml(path: Path) -> Any:
    """Parse one lexicon file; a YAML error names the file."""
    try:
        return safe_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise LexiconError(f"{_where(path)}: cannot read: {err}") from err


def _where(path: Path) -> str:
    return f"lexicons/{path.relative_to(LEXICONS)}"


def load_model(path: Path, model: type[M]) -> M:
    """Validate a whole file against `model`; the error names file and field."""
    data = read_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        at = ".".join(str(p) for p in first["loc"])
        raise LexiconError(f"{_where(path)}, {at}: {first['msg']}") from err


def load_list(path: Path, model: type[M]) -> list[M]:
    """Validate a file that is a list of entries; the error names the entry."""
    data = read_yaml(path)
    if not isinstance(data, list):
        raise LexiconError(f"{_where(path)}: expected a list of entries")
    out = []
    for i, item in enumerate(data):
        try:
            out.append(model.model_validate(item))
        except ValidationError as err:
            raise LexiconError(f"{_where(path)}, entry {i}: {err.errors()[0]['msg']}") from err
    return out


def lang_dir(lang: str) -> Path:
    if lang not in LANGS:
        raise LexiconError(f"no lexicons for language {lang!r} (have: {', '.join(LANGS)})")
    return LEXICONS / lang


@lru_cache(maxsize=None)
def numbers(lang: str) -> NumbersLexicon:
    return load_model(lang_dir(lang) / "numbers.yaml", NumbersLexicon)


@lru_cache(maxsize=None)
def scales(lang: str) -> list[ScaleEntry]:
    return load_list(lang_dir(lang) / "scales.yaml", ScaleEntry)


@lru_cache(maxsize=None)
def ordinals(lang: str) -> OrdinalsLexicon:
    return load_model(lang_dir(lang) / "ordinals.yaml", OrdinalsLexicon)


@lru_cache(maxsize=None)
def currencies(lang: str) -> CurrenciesLexicon:
    return load_model(lang_dir(lang) / "currencies.yaml", CurrenciesLexicon)


@lru_cache(maxsize=None)
def currency_codes() -> CurrencyCodes:
    return load_model(LEXICONS / "currency_codes.yaml", CurrencyCodes)


@lru_cache(maxsize=None)
def percent(lang: str) -> PercentLexicon:
    return load_model(lang_dir(lang) / "percent.yaml", PercentLexicon)


@lru_cache(maxsize=None)
def qualifiers(lang: str) -> QualifiersLexicon:
    return load_model(lang_dir(lang) / "qualifiers.yaml", QualifiersLexicon)


@lru_cache(maxsize=None)
def clitics(lang: str) -> CliticsLexicon:
    return load_model(lang_dir(lang) / "clitics.yaml", CliticsLexicon)


# --- claim lexicons: metrics, periods, sources, modality ------------------------


class MetricTrigger(Entry):
    metric: Literal[
        "spending", "cost", "revenue", "profit", "loss", "margin", "valuation",
        "investment", "funding", "acquisition", "stake", "stake_value", "share",
        "price", "debt", "fine", "writedown", "budget", "growth", "other",
    ]
    object: str | None = None
    forms: list[str] = Field(min_length=1)


class GrowthWords(Entry):
    up: list[str]
    down: list[str]


class MetricsLexicon(Entry):
    triggers: list[MetricTrigger]
    growth: GrowthWords
    share_of: list[str]  # right after a percentage: a share of a whole (41% of the market)
    stake_words: list[str]  # a percentage owned: a 27 pct stake, holds 20 pct
    discount: list[str]  # a price cut: تخفيض 40%
    share_price: list[str]  # a percentage move of these is a share-price move over a day
    part_of: list[str] = []  # right after a percentage with no metric word: a share of something
    counts: list[str] = []  # a percentage of these is a change in a count, not a financial claim
    sale_words: list[str] = []  # selling: the price or stake is the buyer's, named after `buyer_marks`
    buyer_marks: list[str] = []  # "to", ل: right before (or glued to) the buyer's name
    holder_marks: list[str] = []  # "60 pct owned by Acme, 40 pct by Globex": the holder follows
    equals: list[str] = []  # "rose 22 pct, which equals 6.5 bln dlrs": the change in money
    restates: list[str] = []  # "أي نحو 55 مليون درهم", "that is 13 mln euros": the figure before, converted
    in_exchange: list[str] = []  # "500 MB for seven days in exchange for 99 riyals": a price
    bought_of: list[str] = []  # right after a sum bought: "order 40 mln dlrs worth of trucks" is an order
    named_after: list[str] = []  # right after a sum, before a metric word: "$13 billion in revenue"
    balances: list[str] = []  # a sum these name (before it, in its clause) is a balance at a date: period none


class PeriodsLexicon(Entry):
    rates: dict[Literal["day", "week", "month", "year", "per_unit"], list[str]]
    spans: dict[Literal["quarter", "half_year", "nine_months", "year", "month"], list[str]]
    last_words: list[str]
    fiscal: list[str]
    relative: dict[int, list[str]]
    by_year: list[str]
    year_words: list[str]
    months: dict[int, list[str]]
    same_period: list[str]
    year_ago_period: list[str] = []  # "الفترة المماثلة", "the year-ago quarter": a year before unless a year is named
    period_ended: list[str] = []  # "للفترة المنتهية في 31 مارس": the year to that date
    comparison: list[str]
    reaching: list[str] = []  # "… مقارنة بنفس الفترة ليصل إلى 24 مليون", "to reach": the figure after is the current one
    by_amount: list[str]
    month_counts: list[str] = []
    end_of: list[str] = []  # "بنهاية النصف الأول", "at the end of 1986": the last day of the span
    ending: list[str] = []  # "quarter ended March 28", "الربع المنتهي في 30 يونيو": the span's end date
    month_range: list[str] = []  # "July-September", "يوليو إلى سبتمبر": between two months


class SourcesLexicon(Entry):
    before: list[str]
    verbs: list[str]
    unnamed: list[str]
    analysts: list[str]
    outlet_nouns: list[str]


class ModalityLexicon(Entry):
    estimated: list[str]
    projected: list[str]
    conditional: list[str]
    denied: list[str]


@lru_cache(maxsize=None)
def metrics(lang: str) -> MetricsLexicon:
    return load_model(lang_dir(lang) / "metrics.yaml", MetricsLexicon)


@lru_cache(maxsize=None)
def periods(lang: str) -> PeriodsLexicon:
    return load_model(lang_dir(lang) / "periods.yaml", PeriodsLexicon)


@lru_cache(maxsize=None)
def sources(lang: str) -> SourcesLexicon:
    return load_model(lang_dir(lang) / "sources.yaml", SourcesLexicon)


@lru_cache(maxsize=None)
def modality(lang: str) -> ModalityLexicon:
    return load_model(lang_dir(lang) / "modality.yaml", ModalityLexicon)


class CompanyNouns(BaseModel):
    """The part of `companies.yaml` the claim builder reads (the rest is for entities)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    company_nouns: list[str] = []
    company_words: list[str] = []
    not_subject_after: list[str] = []
    preposition_clitics: list[str] = []
    subsidiary_over_group: Literal["always", "when_more_frequent"] = "when_more_frequent"
    pronouns: dict[str, Literal["organisation", "person"]] = {}
