"""The data contract: every record the pipeline reads or writes.

Field names and the metric list follow `ANNOTATION.md` (the annotation guide).
Amounts are `Decimal` inside and JSON numbers outside; offsets are code-point
offsets into the article's `text` (or `title` when a claim's `field` is `title`).
`mizan schema export` writes the JSON Schema of the output models into `schemas/`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, computed_field, model_validator

Lang = Literal["ar", "en"]
MentionKind = Literal["number", "ordinal", "percent", "money"]
Qualifier = Literal["exact", "approx", "at_least", "at_most", "range"]
Metric = Literal[
    "spending", "cost", "revenue", "profit", "loss", "margin", "valuation",
    "investment", "funding", "acquisition", "stake", "stake_value", "share",
    "price", "debt", "fine", "writedown", "budget", "growth", "other",
]
PeriodKind = Literal[
    "day", "week", "month", "quarter", "half_year", "nine_months", "year", "per_unit", "none",
]
Modality = Literal["asserted", "estimated", "projected", "conditional", "denied"]
SourceKind = Literal["outlet", "person", "organisation", "unnamed", "article"]
EntityType = Literal["organisation", "product", "person", "outlet", "country", "index", "other"]
Status = Literal["ok", "partial", "failed"]
TextField = Literal["text", "title"]


def _decimal_to_json(value: Decimal | None) -> int | float | None:
    """Integers stay integers (15000000, not 15000000.0); the rest become floats."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


# A Decimal inside, a JSON number outside (never a string, never 1.5E+10).
Number = Annotated[
    Decimal,
    PlainSerializer(_decimal_to_json, return_type=int | float | None, when_used="always"),
]


class Record(BaseModel):
    """Base for every record: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Span(Record):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Issue(Record):
    """A data condition met while processing one article (see `errors.MESSAGES`)."""

    code: str = Field(pattern=r"^[INMPCVX]\d{3}$")
    message: str
    stage: str | None = None


class Article(Record):
    """One news article as ingested. `text` is never altered after ingest."""

    id: str = Field(min_length=1)
    lang: Lang | None = None
    title: str = ""
    text: str
    date: str | None = None
    outlet: str | None = None
    url: str | None = None
    event: str | None = None
    content_hash: str | None = None
    origin: str | None = Field(default=None, description="where it was read: file and line, feed, URL")


class Mention(Record):
    """One amount found by the grammar: a number, ordinal, percentage or sum of money."""

    kind: MentionKind
    value: Number | None
    min: Number | None = None
    max: Number | None = None
    unit: str | None = Field(description="ISO 4217 code, 'percent', or null when unknown or ambiguous")
    unit_raw: str | None = Field(default=None, description="the currency or percent sign as written")
    qualifier: Qualifier = "exact"
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    cue: str | None = Field(default=None, description="the words that resolved the currency's country")
    rule: str

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        """`currency` is written out but derived from `unit`: reading a mention back ignores it."""
        if isinstance(data, dict) and "currency" in data:
            data = {k: v for k, v in data.items() if k != "currency"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def currency(self) -> str | None:
        """The ISO currency of a money mention (repeats `unit`); null for other kinds."""
        return self.unit if self.kind == "money" else None


class Amount(Record):
    value: Number | None
    min: Number | None = None
    max: Number | None = None
    unit: str | None
    unit_raw: str | None = None
    qualifier: Qualifier = "exact"
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    cue: str | None = Field(default=None, description="how the currency was resolved when the words alone did not say")


class EntityRef(Record):
    name: str
    text: str | None
    start: int | None
    end: int | None
    type: EntityType = "organisation"


class ObjectRef(Record):
    name: str
    text: str | None = None
    start: int | None = None
    end: int | None = None


class Period(Record):
    kind: PeriodKind
    text: str | None = None
    start: int | None = None
    end: int | None = None


class TimeRef(Record):
    text: str
    value: str | None = Field(description="ISO year/quarter/half/month/date, FY-prefixed for fiscal periods")


class Source(Record):
    name: str
    kind: SourceKind
    text: str | None = None
    start: int | None = None
    end: int | None = None


class Location(Record):
    field: TextField
    start: int
    end: int


class Claim(Record):
    """One financial claim: one amount tied to an entity through a metric."""

    id: str
    article_id: str
    lang: Lang
    field: TextField = "text"
    entity: EntityRef | None
    object: ObjectRef | None = None
    metric: Metric
    amount: Amount
    period: Period | None = None
    time: TimeRef | None = None
    source: Source
    modality: Modality = "asserted"
    evidence: Span
    confidence: float = Field(ge=0, le=1)
    rule: str
    also_at: list[Location] = []
    published: str | None = Field(default=None, description="the article's date, as ingested")
    outlet: str | None = Field(default=None, description="the article's outlet")


class ClaimReport(Record):
    """What happened to one article: its status, issues and how much came out."""

    article_id: str
    origin: str | None = None
    lang: Lang | None = None
    status: Status
    action: Literal["processed", "skipped"] = Field(
        default="processed", description="skipped: a batch run found it already done (same content, same pipeline version)")
    issues: list[Issue] = []
    mentions: int = 0
    claims: int = 0


class RunCounts(Record):
    articles: int = 0
    ok: int = 0
    partial: int = 0
    failed: int = 0
    skipped: int = 0
    claims: int = 0


class RunManifest(Record):
    """Every input article of a run, accounted for."""

    pipeline_version: str
    started: str
    finished: str | None = None
    inputs: list[str]
    output: str | None = None
    run: int | None = Field(default=None, description="the batch run's number in its output folder")
    engine: str | None = None
    workers: int | None = None
    counts: RunCounts
    articles: list[ClaimReport]


class MentionRecord(Mention):
    """A mention as a batch run stores it: with its article and field."""

    article_id: str
    field: TextField = "text"


class ArticleRecord(Article):
    """An article as a batch run stores it: as ingested, plus what became of it."""

    status: Status
    issues: list[Issue] = []
    mentions: int = 0
    claims: int = 0
    pipeline_version: str


class ArticleOutcome(Record):
    """Everything one article produced in a batch run: the unit a run saves and resumes by."""

    article: ArticleRecord
    report: ClaimReport
    claims: list[Claim] = []
    mentions: list[MentionRecord] = []


OUTPUT_MODELS: dict[str, type[BaseModel]] = {
    "article": Article,
    "mention": Mention,
    "claim": Claim,
    "claim_report": ClaimReport,
    "run_manifest": RunManifest,
    "article_record": ArticleRecord,
    "mention_record": MentionRecord,
}


# --- validation: consistency within and across articles -------------------------------

Verdict = Literal["corroborated", "conflicting", "single_source", "derived_consistent", "not_comparable"]


class Interval(Record):
    """What a claim allows, in a comparison unit: [lo, hi], open ends as null."""

    lo: Number | None
    hi: Number | None
    unit: str | None
    note: str = Field(default="", description="how it was normalised: rate, date, tolerance")


class GroupMember(Record):
    claim_id: str
    article_id: str
    outlet: str | None = None
    date: str | None = None
    text: str = Field(description="the amount as written")
    evidence: Span
    interval: Interval | None = Field(description="null when it could not be normalised (see `reason`)")
    reason: str = ""
    copy_of: str | None = Field(default=None, description="the article this one copies, if it is a copy")


class Conflict(Record):
    claims: tuple[str, str]
    articles: tuple[str, str]
    evidence: tuple[Span, Span]
    gap: float = Field(description="relative distance between the two intervals")
    minor: bool = Field(default=False, description="the gap is under 1 %: a rounding or conversion difference, noted but not a conflict")


class ConsistencyGroup(Record):
    """Claims about one fact (entity, metric, object, period, time) and the verdict on them."""

    key: str
    entity: str | None
    metric: Metric
    object: str | None
    period: PeriodKind | None
    time: str | None
    verdict: Verdict
    independent_sources: int
    members: list[GroupMember]
    agreement: list[list[str]] = Field(default=[], description="claim ids in sets whose intervals share a value, the most sources first")
    conflicts: list[Conflict] = []
    explanation: str


class DerivedCheck(Record):
    """A relation inside one article: rate x period against a total, stake x valuation ..."""

    article_id: str
    kind: Literal["rate_times_period", "stake_implied_valuation", "per_unit_times_volume"]
    claims: list[str]
    arithmetic: str
    verdict: Verdict
    explanation: str


class CopyCluster(Record):
    """Articles that are copies or rewrites of one story: they count as one source."""

    original: str
    copies: list[str]
    similarity: float = Field(description="the lowest share of word 5-grams a copy shares with the original")


class ValidationReport(Record):
    pipeline_version: str
    generated: str | None = Field(default=None, description="when `mizan validate` wrote it; null in batch outputs, which must not change between identical runs")
    articles: int
    claims: int
    counts: dict[str, int]
    groups: list[ConsistencyGroup]
    checks: list[DerivedCheck]
    copies: list[CopyCluster]
    claim_issues: dict[str, list[Issue]] = {}


OUTPUT_MODELS["validation_report"] = ValidationReport
