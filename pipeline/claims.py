"""Claims: tie each amount to an entity, a metric, a period, a time, a source and a modality.

The grammar has already found the amounts; this stage spends NLP only around
them. For each money or percentage amount (and each bare amount that inherits a
currency, as in "Revs 15.2 mln vs 12.1 mln dlrs") it looks in the amount's
clause, then its sentence, then its paragraph, for the words that fill each
field, and records in `rule` which evidence filled which field.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from . import lexicons
from .entities import EntityFinder, Found, canonical_names
from .grammar.money import Amount, AmountReader
from .grammar.periods import PeriodFound, find_periods, year_of
from .grammar.phrases import Match, cue_table, currency_countries, table as grammar_table
from .normalize import fold_form
from .models import (
    Amount as ClaimAmount,
    Article,
    Claim,
    EntityRef,
    Location,
    Mention,
    ObjectRef,
    Period,
    Source,
    Span,
    TimeRef,
)
from .segment import Block, clauses, paragraphs, sentences

# A cost written with no scale word and under this is what one item costs (per_unit).
_ITEM_COST = Decimal(1_000_000)
_STOCK_OBJECTS = {"assets", "retained_earnings"}  # 'other' amounts that are balances, not flows
_FLOW_METRICS = {"revenue", "profit", "loss", "spending", "cost", "investment", "budget"}
STOCK_METRICS = {"valuation", "stake", "stake_value", "acquisition", "debt", "fine", "funding", "writedown"}
_BY_CLITIC = "\u0628"  # ب glued to an amount: "by"
_DOLLAR_LIKE = {"USD", "CAD", "AUD", "HKD", "NZD", "SGD", "EUR", "GBP"}
# Capitalised words that open wire sentences but are not short company names.
_COMMON_CAPITALS = {"the", "new", "american", "national", "general", "international", "united", "first", "british", "japan", "japanese", "west", "east", "north", "south", "u.s.", "data", "computer", "pacific"}
ENTITY_RANK = {"organisation": 0, "country": 1, "index": 1, "product": 2, "person": 3, "other": 3, "outlet": 4}
_VALUE_TOLERANCE = Decimal("0.005")
_NEAR_DATE = 5  # words at most between a balance and the date it holds at
_NEAR_COMPARISON = 3  # words at most between a comparison word and the figure it introduces ("vs 34 cts", "مقابل ربح 92")
_LEAD_CHARS = 300  # how much of the first paragraph frames a story in a year
_NEAR_NAME = 6  # characters at most between 'analysts at' and the firm's name
_NEAR_SAME = 8  # words at most between "the same period" before a figure and the figure it dates
# Periods a paragraph keeps talking about once named: "orders climbed in the first four
# months ... helped by export sales up 12 pct".
_PARAGRAPH_KINDS = ("quarter", "half_year", "nine_months", "none")


@lru_cache(maxsize=None)
def country_currencies() -> dict[str, str]:
    path = lexicons.LEXICONS / "country_currencies.yaml"
    return dict(lexicons.safe_yaml(path.read_text(encoding="utf-8")))


@dataclass
class FieldText:
    """One field of an article (its title or its text) as the grammar read it."""

    name: str
    text: str
    reader: AmountReader
    mentions: list[Mention]
    periods: list[PeriodFound] = field(default_factory=list)
    _token_starts: list[int] = field(default_factory=list)
    _token_spans: list[tuple[int, int]] = field(default_factory=list)
    _paragraphs: list[Block] = field(default_factory=list)
    _cue_starts: list[int] | None = None  # tokens where some cue phrase may start
    _cue_cache: dict[tuple[int, int, frozenset[str]], list] = field(default_factory=dict)
    _period_spans: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    @property
    def amounts(self) -> list[Amount]:
        return self.reader.amounts

    def token_span(self, i: int) -> tuple[int, int]:
        """Original offsets of token i."""
        if not self._token_spans:
            folded = self.reader.folded
            self._token_spans = [folded.span(t.start, t.end) for t in self.reader.tokens]
            self._token_starts = [s for s, _ in self._token_spans]
        return self._token_spans[i]

    @property
    def paragraphs(self) -> list[Block]:
        if not self._paragraphs:
            self._paragraphs = paragraphs(self.text) if self.name == "text" else [Block(0, len(self.text))]
        return self._paragraphs

    def paragraph_of(self, pos: int) -> int:
        """Index of the paragraph that holds offset pos."""
        return max(0, bisect_right([b.start for b in self.paragraphs], pos) - 1)

    def tokens_in(self, block: Block) -> tuple[int, int]:
        """Token index range [a, b) inside an original-offset block."""
        self.token_span(0) if self.reader.tokens else None
        a = bisect_left(self._token_starts, block.start)
        b = bisect_right(self._token_starts, block.end - 1)
        return a, b


def read_field(name: str, text: str, lang: str, today: date | None) -> FieldText:
    """Run the amount grammar and the period finder over one field."""
    reader = AmountReader(text, lang)
    mentions = reader.mentions()
    found = FieldText(name, text, reader, mentions)
    if mentions:
        found.periods = find_periods(reader, reader.amounts, today)
    return found


def article_date(article: Article) -> date | None:
    if not article.date:
        return None
    try:
        return date.fromisoformat(article.date[:10])
    except ValueError:
        return None


@dataclass
class _Context:
    """What the builder knows about one article while it works through it."""

    article: Article
    lang: str
    today: date | None
    main_entity: Found | None = None
    currency_by_raw: dict[str, tuple[str, str]] = field(default_factory=dict)  # folded unit_raw -> (iso, cue)
    dollar_like: tuple[str, str] | None = None
    default_country: tuple[str, str] | None = None  # (ISO 3166, why)
    units: dict[tuple[str, int], tuple[str | None, str | None, str | None]] = field(default_factory=dict)
    section: PeriodFound | None = None  # the period a results table is in ("Nine mths")
    section_field: FieldText | None = None
    title_periods: list[PeriodFound] = field(default_factory=list)
    title_field: FieldText | None = None
    last_span: tuple[PeriodFound, FieldText] | None = None  # for "the same period"
    para_span: PeriodFound | None = None  # the last reporting period named earlier in this paragraph
    default_span: tuple[PeriodFound, FieldText] | None = None  # the reporting period the article is about
    last_about: Found | None = None  # the organisation the last figure named in the text was about
    last_person: Found | None = None  # the person named last
    named: dict[str, list[Found]] = field(default_factory=dict)  # every entity found, by field
    frame_year: str | None | bool = False  # the one past year the lead reports on ("نتائج العام 2014" in a 2015 article); False until asked
    made: list[tuple[Claim, Found | None]] = field(default_factory=list)  # this field's claims so far, with their entity


class ClaimBuilder:
    """Builds the claims of articles in one language; reuse it across articles."""

    def __init__(self, lang: str, entities: EntityFinder):
        self.lang = lang
        self.entities = entities
        self.cues = cue_table(lang)
        self.table = grammar_table(lang)
        companies = lexicons.load_model(lexicons.lang_dir(lang) / "companies.yaml", lexicons.CompanyNouns)
        self.not_subject = frozenset(fold_form(w) for w in companies.not_subject_after)
        self.company_words = frozenset(fold_form(w) for w in companies.company_words)
        self.preposition_clitics = frozenset(companies.preposition_clitics)
        self.known_forms = frozenset(canonical_names())
        self.subsidiary_rule = companies.subsidiary_over_group
        self.pronouns = {fold_form(k): v for k, v in companies.pronouns.items()}
        self.buyer_marks = frozenset(fold_form(w) for w in lexicons.metrics(lang).buyer_marks)

    # --- the article -------------------------------------------------------------

    def build(self, article: Article, fields: list[FieldText]) -> list[Claim]:
        ctx = _Context(article, self.lang, article_date(article))
        blocks = {f.name: (paragraphs(f.text) if f.name == "text" else [Block(0, len(f.text))]) for f in fields}
        found = {f.name: self._entities_by_paragraph(f, blocks[f.name]) for f in fields}
        if self.lang == "en":
            self._short_names(fields, blocks, found)
        ctx.main_entity = self._main_entity(fields, found)
        ctx.named = {name: [e for ents in paras for e in ents] for name, paras in found.items()}
        self._currency_context(ctx, fields)
        for f in fields:
            for k, m in enumerate(f.mentions):
                if m.kind == "money":
                    ctx.units[(f.name, k)] = self._resolve_unit(ctx, f, k, None)
            if f.name == "title":
                ctx.title_periods = [p for p in f.periods if (p.kind not in (None, "month") or p.kind == "month" and self._month_of_flow(f, p)) and not p.rate]
                ctx.title_field = f
        ctx.default_span = self._article_period(ctx, fields)
        claims: list[Claim] = []
        title_claims: list[Claim] = []
        for f in fields:
            cands = self._candidates(ctx, f)
            out = title_claims if f.name == "title" else claims
            ctx.section = None
            ctx.made = []
            for para, ents in zip(blocks[f.name], found[f.name]):
                self._table_section(ctx, f, para)
                out.extend(self._paragraph_claims(ctx, f, para, ents, cands))
        return _merge_title(title_claims, _merge_repeats(claims))

    def _candidates(self, ctx: _Context, f: FieldText) -> list[int]:
        return [k for k, m in enumerate(f.mentions) if m.kind in ("money", "percent") or self._bare_amount(ctx, f, k)]

    def _bare_amount(self, ctx: _Context, f: FieldText, k: int) -> bool:
        """A number with a scale or of four digits or more that shares a sentence with money
        and is compared with it or named by a metric word: 'Revs 15.2 mln vs 12.1 mln dlrs'."""
        m = f.mentions[k]
        a = f.amounts[k]
        if m.kind != "number" or year_of(a) is not None or (m.value is not None and m.value < 0):
            return False
        if a.scale is None and (m.value or m.min or Decimal(0)) < 1000:
            return False
        if re.match(r"-[^\W\d]", f.text[m.end : m.end + 2]):
            return False  # "8086-based", "20-megabyte": a model name or a measure, not an amount
        nxt = f.reader.tokens[a.end] if a.end < len(f.reader.tokens) else None
        if nxt is not None and f.paragraph_of(f.token_span(a.end)[0]) != f.paragraph_of(m.start):
            nxt = None  # the next line of a table says nothing about this number
        preposition = nxt is not None and fold_form(nxt.text) in self.not_subject and self.cues.longest(f.reader.tokens, a.end, {"part_of"}) is None
        if nxt is not None and nxt.kind == "word" and not preposition and self.cues.longest(f.reader.tokens, a.end, {"comparison", "metric", "rate", "span", "src_verb"}) is None:
            return False  # "5 mln shares", "مليون تنزيل": a count of something ("300 billion in 1988/89" is not)
        return self._donor(ctx, f, k) is not None

    def _donor(self, ctx: _Context, f: FieldText, k: int) -> int | None:
        """The money mention a bare amount takes its currency from."""
        donor = self._currency_donor(ctx, f, k)
        a = f.amounts[k]
        if donor is None and a.scale is not None and self._after_metric_word(f, a) and not self._counting(f, k):
            donor = self._earlier_money(f, k)
        return donor

    @staticmethod
    def _counting(f: FieldText, k: int) -> bool:
        """A paragraph that also gives plain numbers in the thousands ('grew to 620,000 from
        410,000 while handset sales reached 1.4 mln') is counting things, not money."""
        para = f.paragraph_of(f.mentions[k].start)
        return any(
            m.kind == "number" and a.scale is None and year_of(a) is None and (m.value or 0) >= 1000 and f.paragraph_of(m.start) == para
            for m, a in zip(f.mentions, f.amounts)
        )

    def _after_metric_word(self, f: FieldText, a: Amount) -> bool:
        """'مصاريف التشغيل بـ40 مليونا', 'spending on chip plants is seen at 70 billion': a
        scaled number after a metric word in its clause is money even with no currency word."""
        here = f.token_span(a.start)[0]
        clause = next((c for c in clauses(f.text, f.paragraphs[f.paragraph_of(here)]) if c.start <= here < c.end), None)
        return clause is not None and bool(self._cues(f, Block(clause.start, here), {"metric"}))

    @staticmethod
    def _earlier_money(f: FieldText, k: int) -> int | None:
        """The last money mention before mention k anywhere in the field: a story about one
        company keeps to its currency ('81 مليونا' lines after '901 مليون ريال')."""
        earlier = [j for j in range(k) if f.mentions[j].kind == "money"]
        return earlier[-1] if earlier else None

    def _entities_by_paragraph(self, f: FieldText, paras: list[Block]) -> list[list[Found]]:
        """Entities of the title, the lead and every paragraph that holds an amount (NLP only there)."""
        starts = [m.start for m in f.mentions if m.kind in ("money", "percent", "number")]
        out: list[list[Found]] = []
        for n, p in enumerate(paras):
            if n == 0 or any(p.start <= s < p.end for s in starts):
                out.append(self.entities.find(f.text, p.start, p.end))
            else:
                out.append([])
        return out

    def _short_names(self, fields: list[FieldText], blocks, found) -> None:
        """Wire copy names a company in full once, then by its first word: Hartford Insurance
        Group ... Hartford said. Add those later mentions, within the article only."""
        names = {}
        for f in fields:
            for ents in found[f.name]:
                for e in ents:
                    first = e.text.split()[0].strip(",.'") if e.text else ""
                    if e.type == "organisation" and " " in e.text and len(first) >= 3 and first[0].isupper() and first.lower() not in _COMMON_CAPITALS:
                        names.setdefault(first, e)
        if not names:
            return
        pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")
        for f in fields:
            for para, ents in zip(blocks[f.name], found[f.name]):
                for m in pattern.finditer(f.text, para.start, para.end):
                    if any(e.start <= m.start() < e.end for e in ents):
                        continue
                    e = names[m.group(1)]
                    ents.append(Found(e.name, e.type, m.start(), m.end(), m.group(1), "alias", e.country))
                ents.sort(key=lambda e: e.start)

    def _main_entity(self, fields: list[FieldText], found) -> Found | None:
        """The article's subject: the first organisation of the title, else the most named one;
        a group named in the title gives way to its subsidiary when the text names one
        («زين» in the title, زين السعودية in the text); where that is the rule for every
        subsidiary named (Arabic), only one in another country counts."""
        everything = [e for f in fields for ents in found[f.name] for e in ents if e.type == "organisation"]
        counts = Counter(e.name for e in everything)
        self_always = self.subsidiary_rule == "always"
        title = [e for ents in found.get("title", []) for e in ents if e.type == "organisation"]
        if title:
            main = title[0]
        elif counts:
            name = counts.most_common(1)[0][0]
            main = next(e for e in everything if e.name == name)
        else:
            return None
        family = [e for e in everything if e.name.startswith(main.name + " ")]
        if self_always:  # a national subsidiary (زين السعودية), not a business unit (خدمات أمازون ويب)
            family = [e for e in family if e.country and e.country != main.country]
        if family:
            name, n = Counter(e.name for e in family).most_common(1)[0]
            if self_always or n >= counts[main.name] - len([e for e in title if e.name == main.name]):
                return next(e for e in family if e.name == name)
        return main

    @staticmethod
    def _article_period(ctx: _Context, fields: list[FieldText]) -> tuple[PeriodFound, FieldText] | None:
        """The reporting period an article is about: the title's quarter, half or month of a flow
        (FEBRUARY SALES), else the quarter or half its text names most often. Flows with no
        period words of their own take it."""
        kinds = ("quarter", "half_year", "nine_months")
        if ctx.title_field is not None:
            for p in ctx.title_periods:
                if p.kind in (*kinds, "month"):
                    return p, ctx.title_field
        counts: Counter = Counter()
        first: dict = {}
        for f in fields:
            for p in f.periods:
                if p.kind in kinds and not p.rate:
                    counts[p.kind] += 1
                    first.setdefault(p.kind, (p, f))
        if not counts:
            return None
        kind, n = counts.most_common(1)[0]
        return first[kind] if n >= 2 or len(counts) == 1 else None

    def _frame(self, ctx: _Context, text: FieldText) -> str | None:
        """The frame year, worked out the first time a figure needs it."""
        if ctx.frame_year is False:
            ctx.frame_year = self._frame_year(ctx, text)
        return ctx.frame_year  # type: ignore[return-value]

    def _frame_year(self, ctx: _Context, text: FieldText) -> str | None:
        """The year a story about past results is framed in: the only year its lead names, before
        the article's own year (a 2015 ranking of 2014 results), or a fiscal year. Figures after the
        lead that name no time hold then."""
        if not text.paragraphs or ctx.today is None or ctx.default_span is not None:
            return None
        first = text.paragraphs[0]
        lead = Block(first.start, min(first.end, first.start + _LEAD_CHARS))  # a one-paragraph article's later years date other things
        years = {p.time for p in text.periods if p.kind in (None, "year") and p.time and len(p.time.removeprefix("FY")) == 4 and not p.rate
                 and not p.same and (not p.projected or p.time.startswith("FY")) and lead.contains(*self._span_of(text, p))}
        if len(years) != 1:
            return None
        year = years.pop()
        return year if year.startswith("FY") or int(year) < ctx.today.year else None  # a fiscal year is named as such

    def _table_section(self, ctx: _Context, f: FieldText, para: Block) -> None:
        """A paragraph that is only a period label ("Nine mths", "Qtr", "Year") opens a table section."""
        if f.name != "text":
            return
        inside = [p for p in f.periods if p.kind is not None and not p.rate and para.contains(*self._span_of(f, p))]
        words = len(f.text[para.start : para.end].split())
        if inside and words <= 4 and not any(para.start <= m.start < para.end for m in f.mentions if m.kind != "ordinal" and year_of(f.amounts[f.mentions.index(m)]) is None):
            ctx.section, ctx.section_field = inside[0], f

    # --- currencies ----------------------------------------------------------------

    def _currency_context(self, ctx: _Context, fields: list[FieldText]) -> None:
        """Currencies the article settles somewhere: 'الريال السعودي' once settles every bare ريال."""
        for f in fields:
            for m in f.mentions:
                if m.kind != "money" or m.unit is None or m.unit_raw is None:
                    continue
                raw = _base_raw(m)
                if m.cue is not None:
                    ctx.currency_by_raw.setdefault(raw, (m.unit, f"{m.unit_raw} at {f.name}:{m.start}"))
                if m.unit in _DOLLAR_LIKE and ctx.dollar_like is None:
                    ctx.dollar_like = (m.unit, f"{m.unit_raw} at {f.name}:{m.start}")
            for raw, iso, where in self._named_currencies(f):
                ctx.currency_by_raw.setdefault(raw, (iso, where))
        outlet = outlet_country(ctx.article.outlet)
        if ctx.main_entity is not None and ctx.main_entity.country:
            ctx.default_country = (ctx.main_entity.country, f"main entity {ctx.main_entity.name}")
        elif outlet is not None:
            ctx.default_country = (outlet, f"outlet {ctx.article.outlet}")

    def _named_currencies(self, f: FieldText):
        """A currency named with its country anywhere, number or not: 'أسعار الريال السعودي'."""
        tokens = f.reader.tokens
        reader = f.reader
        for i, t in enumerate(tokens):
            if t.kind != "word" or t.text not in self.table.first_words and not t.text.startswith("\u0627\u0644"):
                continue
            found = reader._currency_after_words(i)
            if found is None:
                continue
            currency, span, end, cue = found
            if cue is None:
                continue
            raw = fold_form(reader._original(span))
            words = raw.split()
            yield " ".join(w for w in words if fold_form(reader._original(cue[1])) not in w) or raw, cue[0], f"{reader._original(span)} at {f.name}"

    def _resolve_unit(self, ctx: _Context, f: FieldText, k: int, entity: Found | None) -> tuple[str | None, str | None, str | None]:
        """(unit, unit_raw, cue) of money mention k, resolving what the words leave open."""
        m = f.mentions[k]
        if m.unit is not None and not (f.amounts[k].subunit and ctx.dollar_like and m.unit == "USD"):
            return m.unit, m.unit_raw, m.cue
        if f.amounts[k].subunit and ctx.dollar_like is not None:
            return ctx.dollar_like[0], m.unit_raw, f"cents of {ctx.dollar_like[1]}"
        raw = _base_raw(m)
        for key, (iso, where) in ctx.currency_by_raw.items():
            if key and (key == raw or key in raw or raw in key):
                return iso, m.unit_raw, f"the article names it: {where}"
        options = currency_countries(self.lang, m.unit_raw or "")
        for country, why in (
            (entity.country if entity else None, f"entity {entity.name if entity else ''}"),
            *( [ctx.default_country] if ctx.default_country else [] ),
        ):
            iso = country_currencies().get(country) if country else None
            if iso is not None and iso in options:
                return iso, m.unit_raw, f"{why} ({country})"
        return m.unit, m.unit_raw, None

    def _unit_of(self, ctx: _Context, f: FieldText, k: int, entity: Found | None):
        """Money units resolved article-wide; bare amounts take the nearest resolved money's."""
        m = f.mentions[k]
        if m.kind == "percent":
            return m.unit, m.unit_raw, None
        if m.kind == "number":
            donor = self._donor(ctx, f, k)
            if donor is None:
                return None, None, None
            unit, raw, _ = ctx.units[(f.name, donor)]
            d = f.mentions[donor]
            return unit, raw, f"inherited from {d.text!r} at {f.name}:{d.start}"
        unit, raw, cue = ctx.units.get((f.name, k), (m.unit, m.unit_raw, m.cue))
        if unit is None:
            unit, raw, cue = self._resolve_unit(ctx, f, k, entity)
        return unit, raw, cue

    def _currency_donor(self, ctx: _Context, f: FieldText, k: int) -> int | None:
        """The nearest money mention in the same paragraph and a sentence-sized window (a wrapped
        wire paragraph runs over line breaks). A results-table line labelled with a metric
        ('Net 41.2 mln vs 30.8 mln') may take it from the table's other lines."""
        best = None
        here = f.mentions[k].start
        own = f.paragraph_of(here)
        table = self._labelled_table_line(f, f.paragraphs[own])
        for j, other in enumerate(f.mentions):
            if other.kind != "money" or j == k:
                continue
            d = abs(other.start - here)
            p = f.paragraph_of(other.start)
            same_table = table and all(self._table_line(f, f.paragraphs[q]) for q in range(min(p, own), max(p, own) + 1))
            if d < 160 and (p == own or same_table) and (best is None or d < best[0]):
                best = (d, j)
        return best[1] if best else None

    def _labelled_table_line(self, f: FieldText, para: Block) -> bool:
        """A short line whose words before its first number name a metric: 'Net', 'Revs'."""
        if f.name != "text" or not self._table_line(f, para):
            return False
        first = next((m.start for m in f.mentions if para.start <= m.start < para.end), para.end)
        return bool(self._cues(f, Block(para.start, first), {"metric"}))

    # --- one paragraph ---------------------------------------------------------------

    def _paragraph_claims(self, ctx, f: FieldText, para: Block, ents: list[Found], cands: list[int]) -> list[Claim]:
        here = [k for k in cands if para.start <= f.mentions[k].start < para.end]
        if not here:
            self._remember_spans(ctx, f, para)
            return []
        sents = sentences(f.text, para, self.lang) if f.name == "text" else [para]
        carried: tuple[Source, str] | None = None
        out: list[Claim] = []
        ctx.para_span = None
        for sent in sents:
            attribution = self._attribution(f, sent, ents, ctx)
            local = attribution if attribution is not None and attribution[1] in ("analysts",) else None
            if attribution is not None and local is None:
                carried = attribution
            previous: Claim | None = None
            for k in here:
                m = f.mentions[k]
                if not sent.contains(m.start, m.end):
                    continue
                claim = self._claim(ctx, f, k, sent, para, ents, local or carried, previous)
                if claim is not None:
                    out.append(claim)
                    previous = claim
            people = [e for e in ents if e.type == "person" and sent.contains(e.start, e.end)]
            ctx.last_person = people[-1] if people else ctx.last_person
            self._remember_spans(ctx, f, sent)
        return out

    def _remember_spans(self, ctx: _Context, f: FieldText, block: Block) -> None:
        spans = [p for p in f.periods if p.kind in ("quarter", "half_year", "nine_months", "none") and not p.rate and p.time and (p.relative or 0) >= 0
                 and not self._comparison_base(f, p) and block.contains(*self._span_of(f, p))]
        if spans:
            ctx.last_span = (spans[-1], f)
        named = [p for p in f.periods if p.kind in _PARAGRAPH_KINDS and not p.rate and (p.relative or 0) >= 0 and block.contains(*self._span_of(f, p))]
        if named:
            ctx.para_span = named[-1]

    # --- one claim -------------------------------------------------------------------

    def _claim(self, ctx, f, k, sent, para, ents, source_state, previous) -> Claim | None:
        m = f.mentions[k]
        a = f.amounts[k]
        clause = next((c for c in clauses(f.text, sent) if c.start <= m.start < c.end), sent)
        speaker = source_state[0].name if source_state else None
        metric, obj, metric_rule, sign = self._metric(f, k, clause, sent)
        if m.kind == "percent" and self._measures_a_count(f, a, sent):
            return None
        rate_here = next((p for p in f.periods if p.rate and a.end <= p.start <= a.end + 2), None)
        if metric == "cost" and rate_here is not None and rate_here.kind in ("day", "week", "month", "year"):
            metric, metric_rule = "spending", f"{metric_rule}, running a {rate_here.kind}"  # كلفة التشغيل يوميا: an outlay
        if m.kind == "money" and self._equals_change(f, a, previous):
            obj = f"{previous.object.name if previous.object else 'value'}_change"
            metric, metric_rule, sign = "other", "the change before it, in money", (-1 if (previous.amount.value or 0) < 0 else 1)
        restated = self._restated(ctx, f, a, m, previous)
        if restated is not None:
            before = restated[0]
            metric, obj, sign = before.metric, before.object.name if before.object else None, (-1 if (before.amount.value or 0) < 0 else 1)
            if m.kind == "percent":
                metric, obj = "stake", None  # "equity worth $130 billion, or roughly 26%"
            metric_rule = f"restates {before.amount.text!r}"
        self._is_change = bool(obj and obj.endswith("_change"))
        self._is_discount = obj == "discount"
        if metric in ("profit", "loss") and obj is None and rate_here is not None and rate_here.kind == "per_unit":
            obj = "per_share"
        sent_ents = [e for e in ents if sent.contains(e.start, e.end)] + self._company_nouns(ctx, f, sent)
        holder = self._holder(f, a, sent_ents) if m.kind == "percent" else None
        if holder is not None:
            metric, obj, metric_rule = "stake", None, "a percentage held by"
            entity, entity_rule = holder, "the holder named after it"
        elif restated is not None and restated[1] is not None:
            entity, entity_rule = restated[1], "the figure it restates"
        else:
            entity, entity_rule = self._entity(ctx, f, m, clause, sent, sent_ents, speaker, metric)
        if entity is not None and entity.type == "organisation" and not entity_rule.startswith("article subject"):
            ctx.last_about = entity
        object_ref = self._object(f, m, sent_ents, entity, metric, obj, [e for e in ents if e.type == "product" and e.end <= sent.start])
        if restated is not None and restated[0].object is not None:
            object_ref = restated[0].object
        self._invests_in = metric == "investment" and object_ref is not None and object_ref.start is not None
        unit, unit_raw, cue = self._unit_of(ctx, f, k, entity)
        if m.kind == "money" and unit is None and m.unit_raw is None:
            return None
        period, time, period_rule, projected_by = self._period(ctx, f, a, m, clause, sent, para, metric, obj, previous)
        if restated is not None and not period_rule.startswith("rate") and m.kind == "money" and restated[0].period is not None:
            period, period_rule = restated[0].period, f"of the figure it restates ({period_rule})"
            time = time or restated[0].time
        modality, modality_rule = self._modality(f, m, clause, sent)
        if projected_by and modality == "asserted":
            modality, modality_rule = "projected", "target year"
        source = source_state[0] if source_state else Source(name="article", kind="article")
        value, lo, hi = m.value, m.min, m.max
        if sign < 0 and (metric == "growth" or (obj or "").endswith("_change")) and m.kind in ("percent", "money"):
            value = -value if value is not None else None
            lo, hi = (-hi if hi is not None else None), (-lo if lo is not None else None)
        amount = ClaimAmount(
            value=value, min=lo, max=hi, unit=unit, unit_raw=unit_raw, qualifier=m.qualifier,
            text=m.text, start=m.start, end=m.end, cue=cue,
        )
        confidence = 0.35
        confidence += 0.2 if entity is not None and entity_rule.startswith(("clause", "sentence")) else 0.05 if entity else 0
        confidence += 0.2 if metric_rule != "default" else 0
        confidence += 0.15 if unit is not None and (m.kind != "money" or m.unit is not None) else 0.05 if unit else 0
        confidence += 0.1 if not period_rule.startswith(("default", "none")) else 0
        rule = "; ".join([
            f"amount {m.rule}", f"entity {entity_rule}", f"metric {metric_rule}",
            f"period {period_rule}", f"modality {modality_rule}",
            f"source {source_state[1] if source_state else 'article voice'}",
        ])
        claim = Claim(
            id=f"{ctx.article.id}:{f.name[0]}{m.start}-{m.end}",
            article_id=ctx.article.id, lang=self.lang, field=f.name,  # type: ignore[arg-type]
            entity=self._entity_ref(ctx, f, entity, m, sent_ents),
            object=object_ref, metric=metric, amount=amount, period=period, time=time,  # type: ignore[arg-type]
            source=source, modality=modality,  # type: ignore[arg-type]
            evidence=Span(text=f.text[sent.start : sent.end], start=sent.start, end=sent.end),
            confidence=round(min(confidence, 1.0), 2), rule=rule,
            published=ctx.article.date, outlet=ctx.article.outlet,
        )
        ctx.made.append((claim, entity))
        return claim

    def _restated(self, ctx: _Context, f: FieldText, a: Amount, m: Mention, previous: Claim | None) -> tuple[Claim, Found | None] | None:
        """'أي نحو 55 مليون درهم', 'that is roughly 13 million euros a day', 'of which $11.6 billion',
        '900 مليون ريال (240 مليون دولار)': a sum right after a restating phrase, or in brackets right
        after another, is the figure before it again, converted or in part.
        That figure is the one before it in the sentence, else the last in the field billed at the
        same rate. A percentage restates only a stake's value ('worth $130 billion, or 26%')."""
        if m.kind not in ("money", "percent"):
            return None
        tokens = f.reader.tokens
        bracketed = previous is not None and f.text[previous.amount.end : m.start].strip() == "("  # 800 مليون ريال (213 مليون دولار)
        if not bracketed and not any(  # the phrase may end inside the amount's span: أي نحو، or about
                (x := self.cues.longest(tokens, i, {"restates"})) is not None and a.start <= x.end <= a.start + 1
                for i in range(max(0, a.start - 4), a.start)):
            return None
        rate = next((p for p in f.periods if p.rate and a.end <= p.start <= a.end + 2), None)
        for claim, entity in reversed(ctx.made):
            if previous is not None and claim is not previous:
                continue
            if previous is None and (rate is None or claim.period is None or claim.period.kind != rate.kind):
                continue
            if m.kind == "money" and claim.amount.unit != "percent" or m.kind == "percent" and claim.metric == "stake_value":
                return claim, entity
            return None
        return None

    @staticmethod
    def _entity_ref(ctx: _Context, f: FieldText, entity: Found | None, m: Mention, sent_ents: list[Found]) -> EntityRef | None:
        """The entity with offsets into the claim's own field. One found in another field (the
        title's subject for a claim in the text, the last one named for a pronoun) is pointed at
        its nearest mention here: in the sentence (الشركة, 'the company' count), else the last
        named before the amount, else the first after; else the name alone, with null offsets."""
        if entity is None:
            return None
        at: Found | None = entity
        if f.text[entity.start : entity.end] != entity.text or not entity.text:
            same = [e for e in sent_ents if e.name == entity.name]
            if same:
                at = min(same, key=lambda e: abs(e.start - m.start))
            else:
                named = [e for e in ctx.named.get(f.name, []) if e.name == entity.name]
                before = [e for e in named if e.end <= m.start]
                at = before[-1] if before else (named[0] if named else None)
        if at is None:
            return EntityRef(name=entity.name, text=None, start=None, end=None, type=entity.type)  # type: ignore[arg-type]
        return EntityRef(name=entity.name, text=at.text, start=at.start, end=at.end, type=entity.type)  # type: ignore[arg-type]

    def _company_nouns(self, ctx: _Context, f: FieldText, sent: Block) -> list[Found]:
        """'الشركة' / 'the company' in the sentence, standing for the article's subject."""
        if ctx.main_entity is None:
            return []
        main = ctx.main_entity
        out = []
        for i, m in self._cues(f, sent, {"company_noun"}):
            s = f.token_span(i)[0] + m.skip
            e = f.token_span(m.end - 1)[1]
            out.append(Found(main.name, main.type, s, e, f.text[s:e], "company noun", main.country))
        return out

    # --- metric ----------------------------------------------------------------------

    def _cues(self, f: FieldText, block: Block, categories: set[str]) -> list[tuple[int, Match]]:
        """Cue phrases inside an original-offset block: (token index, match).

        Metric, modality, source and period scan the same sentences with the same
        categories for every amount in them, so each scan is done once per field; and
        only tokens where some cue phrase can start are tried at all.
        """
        key = (block.start, block.end, frozenset(categories))
        found = f._cue_cache.get(key)
        if found is None:
            found = f._cue_cache[key] = self._scan_cues(f, block, key[2])
        return list(found)

    def _scan_cues(self, f: FieldText, block: Block, categories: frozenset[str]) -> list[tuple[int, Match]]:
        a, b = f.tokens_in(block)
        tokens = f.reader.tokens
        if f._cue_starts is None:
            f._cue_starts = [i for i, t in enumerate(tokens) if self.cues.may_start(t)]
        starts = f._cue_starts
        out = []
        free = a  # the first token not inside a cue already found
        for i in starts[bisect_left(starts, a) : bisect_left(starts, b)]:
            if i < free:
                continue
            m = self.cues.longest(tokens, i, categories)
            if m is not None and m.end <= b:
                out.append((i, m))
                free = m.end
        return out

    def _metric(self, f: FieldText, k: int, clause: Block, sent: Block) -> tuple[str, str | None, str, int]:
        """(metric, object, rule, sign) for mention k.

        Triggers are looked for before the amount in its clause, then before it in its
        sentence, then after it in its clause, then after it in the sentence: Arabic and
        English both name the metric first (بلغت الإيرادات 5 مليارات، net income rose to 88 mln).
        """
        a = f.amounts[k]
        m = f.mentions[k]
        found = self._cues(f, sent, {"metric", "growth_up", "growth_down", "share_of", "stake_words", "discount"})
        here = f.token_span(a.start)[0]

        def ordered(categories: set[str]) -> list[tuple[int, Match]]:
            pool = [(i, x) for i, x in found if x.category in categories]
            in_clause = [(i, x) for i, x in pool if clause.contains(*f.token_span(i))]
            before_c = sorted((p for p in in_clause if f.token_span(p[0])[0] < here), key=lambda p: -p[0])
            before_s = sorted((p for p in pool if f.token_span(p[0])[0] < here and p not in in_clause), key=lambda p: -p[0])
            after_c = sorted((p for p in in_clause if f.token_span(p[0])[0] >= here), key=lambda p: p[0])
            after_s = sorted((p for p in pool if f.token_span(p[0])[0] >= here and p not in in_clause), key=lambda p: p[0])
            return before_c + before_s + after_c + after_s

        growth = [(i, x) for i, x in ordered({"growth_up", "growth_down"}) if clause.contains(*f.token_span(i))]
        metrics_ = ordered({"metric"})
        sign = growth[0][1].payload if growth else 1
        if m.kind == "percent":
            return self._percent_metric(f, a, clause, found, metrics_, growth, sign)
        named = [(i, x) for i, x in metrics_ if x.payload[0] != "stake_value"]  # 'بقيمة', 'worth' name no metric that changed
        if growth and named and self._by_amount(f, a) and f.token_span(growth[0][0])[0] < here:
            changed = named[0][1].payload
            name = changed[1] if changed[0] == "cost" and changed[1] else f"{changed[1]}_{changed[0]}" if changed[1] and changed[0] != "price" else changed[0]
            return "other", f"{name}_change", f"change by {growth[0][1].phrase.words!r}", sign  # زيادة مصاريف التشغيل بـ 40 مليون
        if metrics_:
            if not any(fm.kind == "percent" for fm in f.mentions if sent.contains(fm.start, fm.end)):
                # 'بقيمة', 'worth' name a stake's value only beside a stake; elsewhere the
                # metric is the next trigger (ربحا صافيا بقيمة 60 مليون), else none
                named = [(i, x) for i, x in metrics_ if x.payload[0] != "stake_value"]
                if not named:
                    return "other", None, f"trigger {metrics_[0][1].phrase.words!r}", 1
                metrics_ = named
            named_after = self._metric_named_after(f, a)
            if named_after is not None:
                return (*named_after.payload, f"'{' '.join(named_after.phrase.words)}' after it", 1)  # $13 billion in revenue
            i, x = metrics_[0]
            metric, obj = x.payload
            if metric == "stake" or metric == "valuation" and any(
                    y.payload[0] == "stake" and j < i and clause.contains(*f.token_span(j)) and not any(j < b.start < i for b in f.amounts if b.kind != "number")
                    for j, y in metrics_):  # "a stake it valued at": no other figure between
                return "stake_value", obj, f"the value of a stake ({x.phrase.words!r})", 1  # حصة ... المقدرة بنحو 135 مليار دولار
            if (metric, obj) == ("price", "share") and (m.value or m.max or 0) >= _ITEM_COST:
                return "other", None, f"shares worth {m.text!r}, not a share's price", 1
            return metric, obj, f"trigger {x.phrase.words!r}", 1
        rate = next((p for p in f.periods if p.rate and a.end <= p.start <= a.end + 2), None)
        if rate is not None and rate.kind in ("per_unit", "month", "week"):
            return "price", None, f"a price per {rate.kind}", 1
        return "other", None, "default", 1

    def _metric_named_after(self, f: FieldText, a: Amount) -> Match | None:
        """'$13 billion in revenue', '5 mln dlrs in new funding': a metric named right after the sum."""
        tokens = f.reader.tokens
        mark = self.cues.longest(tokens, a.end, {"named_after"})
        if mark is None:
            return None
        for i in range(mark.end, min(mark.end + 2, len(tokens))):  # one adjective may come between
            x = self.cues.longest(tokens, i, {"metric"})
            if x is not None:
                return x if x.payload[0] in _FLOW_METRICS | {"funding", "debt"} else None  # not "in stock": paid in shares
        return None

    def _percent_metric(self, f, a, clause, found, metrics_, growth, sign):
        """Percentages: a stake, a share of a whole, a discount, a margin or a growth rate."""
        tokens = f.reader.tokens
        after = [(i, x) for i, x in found if i >= a.end and i <= a.end + 1]
        for i, x in after:
            if x.category == "stake_words":
                return "stake", None, f"'{' '.join(x.phrase.words)}' after it", 1  # 27 pct stake
            if x.category == "share_of":
                return "share", None, f"'{' '.join(x.phrase.words)}' after it", 1  # 41 pct of the market
            if x.category == "metric" and i == a.end + 1 and self.cues.longest(tokens, a.end, {"part_of"}) is not None:
                return "share", None, f"a percentage of {x.phrase.words!r}", 1  # 45% من الموجودات
        near = [(i, x) for i, x in found if x.category in ("stake_words", "discount") and clause.contains(*f.token_span(i))]
        for i, x in near:
            if x.category == "discount":
                return "other", "discount", f"discount {x.phrase.words!r}", 1
        for i, x in metrics_:
            metric, obj = x.payload
            if metric in ("stake", "share", "margin") and clause.contains(*f.token_span(i)):
                return metric, obj, f"trigger {x.phrase.words!r}", 1
        for i, x in near:
            if x.category == "stake_words":
                return "stake", None, f"stake word {x.phrase.words!r}", 1
        if growth:
            changed = metrics_[0] if metrics_ else None
            obj = changed[1].payload[0] if changed is not None else None
            if changed is not None and changed[1].payload[1]:
                obj = f"{changed[1].payload[1]}_{obj}" if obj != "price" else changed[1].payload[1]
            return "growth", obj, f"growth word {growth[0][1].phrase.words!r}", sign
        in_clause = [(i, x) for i, x in metrics_ if clause.contains(*f.token_span(i))]
        if in_clause:
            i, x = in_clause[0]
            metric, obj = x.payload
            if metric in ("revenue", "profit", "loss", "spending", "cost", "price", "valuation"):
                return "growth", metric, f"percent of {x.phrase.words!r}", 1
            if metric in ("acquisition", "funding", "investment", "stake_value"):
                return "stake", None, f"a percentage bought or sold ({x.phrase.words!r})", 1
            if metric == "debt":
                return "other", "coupon_rate", f"the rate of {x.phrase.words!r}", 1  # 5-1/4 pct debentures
            return metric, obj, f"trigger {x.phrase.words!r}", 1
        if a.end < len(tokens) and self.cues.longest(tokens, a.end, {"part_of"}) is not None:
            return "share", None, "a percentage of something", 1  # 70 pct of ..., 41% من ...
        return "other", None, "default", 1

    def _measures_a_count(self, f: FieldText, a: Amount, sent: Block) -> bool:
        """'ارتفاع عدد عملاء الألياف بنسبة 15%', 'the number of users rose 5 pct': when the word
        nearest before a percentage that names what it measures is a count, it is no claim."""
        here = f.token_span(a.start)[0]
        named = [x for _, x in self._cues(f, Block(sent.start, here), {"count", "metric"})]
        return bool(named) and named[-1].category == "count"

    def _equals_change(self, f: FieldText, a: Amount, previous: Claim | None) -> bool:
        """'صعدت قيمتها السوقية 15 في المئة، ما يساوي نحو 4 مليارات دولار': a sum the text
        equates with the percentage change just before it is that change in money."""
        if previous is None or previous.metric != "growth" or previous.amount.unit != "percent":
            return False
        between = Block(previous.amount.end, f.token_span(a.start)[0])
        return bool(self._cues(f, between, {"equals"}))

    def _by_amount(self, f: FieldText, a: Amount) -> bool:
        """The amount is what something changed BY (بمبلغ 200 مليون، بـ 58 مليون، up by 5 mln), not TO."""
        tokens = f.reader.tokens
        first = tokens[a.start]
        if a.skip and first.text[: a.skip].endswith(_BY_CLITIC):
            return True
        return a.start > 0 and self.cues.longest(tokens, a.start - 1, {"by_amount"}) is not None or (
            a.start > 1 and self.cues.longest(tokens, a.start - 2, {"by_amount"}) is not None and self.cues.longest(tokens, a.start - 2, {"by_amount"}).end == a.start)

    # --- entity and object ---------------------------------------------------------------

    def _entity(self, ctx, f, m, clause, sent, sent_ents, speaker, metric) -> tuple[Found | None, str]:
        """The subject of the amount. The article's subject when the sentence names it before
        the amount; else the first organisation before the amount in its clause, then in its
        sentence, then after it in its clause; else the article's subject. Outlets, the speaker,
        names after a preposition and people are passed over while anything else is named."""
        usable = [e for e in sent_ents if e.type != "outlet" and not self._only_speaker(e, speaker) and not (e.start <= m.start < e.end) and not self._after_preposition(f, e)]
        if metric in ("spending", "cost"):
            usable = [e for e in usable if e.type != "product"]  # what the money goes on is the object
        usable.sort(key=lambda e: e.start)
        owner = self._owner_after_metric(f, m, clause, usable if self.lang == "ar" else [e for e in sent_ents if e.type != "outlet"])
        if owner is not None:
            return owner, "named right after the metric word"
        buyer = self._buyer(f, m, sent, sent_ents) if metric in ("acquisition", "stake") else None
        if buyer is not None:
            return buyer, "the buyer of what is sold"
        pronoun = self._pronoun_subject(ctx, f, m, sent, usable, metric)
        if pronoun is not None:
            return pronoun, "a pronoun for the last one named"
        main = ctx.main_entity
        before_sent = [e for e in usable if e.end <= m.start]
        if main is not None and any(e.name == main.name for e in before_sent):
            return next(e for e in reversed(before_sent) if e.name == main.name), "sentence names the article subject"
        pools = [([e for e in before_sent if clause.contains(e.start, e.end)], "clause, first before"),
                 (before_sent, "sentence, first before"),
                 ([e for e in usable if e.start >= m.end and clause.contains(e.start, e.end)], "clause, first after")]
        for pool, where in pools:
            best = _first_by_rank(pool)
            if best is None:
                continue
            if main is not None and best.name != main.name and not self._in_subject_position(f, best, clause, sent) and not self._right_before(f, best, m):
                return main, f"article subject (not {best.name}, a complement)"
            return best, where
        if main is not None:
            return main, "article subject"
        people = [e for e in sent_ents if e.type == "person" and e.name != speaker]
        if people:
            return people[0], "sentence, person"
        return None, "none"

    def _owner_after_metric(self, f: FieldText, m: Mention, clause: Block, usable: list[Found]) -> Found | None:
        """Arabic names whose metric it is right after the metric noun (إضافة): رسملة «موبايلي»،
        أرباح «اتصالات» الإماراتية، ربحية الشركات الخليجية. Only the metric word nearest
        before the amount counts, and only a name that follows it at once (or after شركة).
        English names it before, with 's."""
        before = [(i, x) for i, x in self._cues(f, clause, {"metric"}) if f.token_span(i)[0] < m.start]
        if not before:
            return None
        if self.lang != "ar":
            return self._possessor_of(f, f.token_span(before[-1][0])[0], usable)
        end = f.token_span(before[-1][1].end - 1)[1]
        for e in usable:
            if end <= e.start and e.end <= m.start:
                gap = re.sub("[«\"\u201c]", " ", f.text[end : e.start]).split()
                if not gap or len(gap) == 1 and fold_form(gap[0]) in self.company_words:
                    return e
                return None
        return None

    def _holder(self, f: FieldText, a: Amount, sent_ents: list[Found]) -> Found | None:
        """'is 60 pct owned by Acme Corp and 40 pct by Globex': the name right
        after 'owned by' or 'by' holds the percentage."""
        mark = self.cues.longest(f.reader.tokens, a.end, {"holder"})
        if mark is None:
            return None
        end = f.token_span(mark.end - 1)[1]
        return next((e for e in sent_ents if e.type in ("organisation", "person") and e.start >= end and not f.text[end : e.start].strip(" <\n")), None)

    def _buyer(self, f: FieldText, m: Mention, sent: Block, sent_ents: list[Found]) -> Found | None:
        """'the sale of 30 pct of its unit to Globex for 200 mln dlrs', 'بيع وحدة الدفع
        لمجموعة مستثمرين ... مقابل 1.5 مليار يورو': a price or stake sold is the buyer's."""
        sales = [i for i, _ in self._cues(f, sent, {"sale"}) if f.token_span(i)[1] <= m.start]
        if not sales:
            return None
        after = f.token_span(sales[-1])[1]
        for e in sent_ents:
            if e.start < after or e.type not in ("organisation", "person"):
                continue
            words = re.sub(r"[<>«»\"\u201c\u201d]", " ", f.text[sent.start : e.start]).split()
            glued = f.text[e.start - 1 : e.start] if e.start > 0 and not f.text[e.start - 1].isspace() else ""
            if (words and fold_form(words[-1]) in self.buyer_marks) or fold_form(glued) in self.buyer_marks:
                return e
        return None

    def _pronoun_subject(self, ctx: _Context, f: FieldText, m: Mention, sent: Block, usable: list[Found], metric: str) -> Found | None:
        """'Last year it earned 12 mln dlrs', 'She now holds 35 pct':
        a subject pronoun before the amount, with no name before it in the sentence, stands for
        the organisation the last figure was about, or for the person named last when the
        figure is what a person holds."""
        if not self.pronouns or any(sent.start <= e.start < m.start for e in usable):
            return None
        tokens = f.reader.tokens
        a, b = f.tokens_in(Block(sent.start, m.start))
        for i in range(a, b):
            kind = self.pronouns.get(fold_form(tokens[i].text))
            if kind is None or self.cues.longest(tokens, i + 1, {"src_verb"}) is not None:  # not "he said"
                continue
            if kind == "organisation":
                return ctx.last_about
            return ctx.last_person if metric in ("stake", "stake_value") else None
        return None

    @staticmethod
    def _possessor_of(f: FieldText, cue_start: int, usable: list[Found]) -> Found | None:
        """English puts the owner before the metric with 's: "Acme's expected 1988 profit"."""
        for e in usable:
            if e.end <= cue_start and re.fullmatch(r"['\u2019]s?(\s+\S+){0,3}\s*", f.text[e.end : cue_start]):
                return e
        return None

    def _only_speaker(self, e: Found, speaker: str | None) -> bool:
        """The speaker is not what the figure is about (Reuters quotes underwriters, analysts'
        firms) -- except an Arabic organisation announcing its own deal (أعلن تحالف ... تقديم مبلغ)."""
        return e.name == speaker and (self.lang != "ar" or e.type != "organisation")

    @staticmethod
    def _right_before(f: FieldText, e: Found, m: Mention) -> bool:
        """An organisation a word or two before the amount is what the amount is about:
        جاءت «المراعي» أولا بنحو 14 مليارا."""
        return e.type == "organisation" and e.end <= m.start and len(f.text[e.end : m.start].split()) <= 2

    @staticmethod
    def _in_subject_position(f: FieldText, e: Found, clause: Block, sent: Block) -> bool:
        """Named among the first words of its sentence or clause, where news puts the subject
        (أعلنت زين...، Hartford said...); deeper in, a name is usually a complement."""
        for block in (sent, clause):
            if block.start <= e.start and len(f.text[block.start : e.start].split()) <= 3:
                return True
        return False

    def _after_preposition(self, f: FieldText, e: Found) -> bool:
        """'من شركة زين', 'a unit of ITT', 'stake in Abbey Life': named as a complement, not the subject."""
        if e.how == "company noun":
            return False
        before = f.text[max(0, e.start - 30) : e.start]
        words = before.replace("«", " ").replace('"', " ").split()
        if not words:
            return False
        tail = fold_form(words[-1])
        if tail in self.not_subject and len(words) >= 1:
            return True
        if tail in self.company_words and len(words) >= 2 and fold_form(words[-2]) in self.not_subject:
            return True  # من شركة زين
        return e.text[:1] in self.preposition_clitics and fold_form(e.text) not in self.known_forms

    def _object(self, f, m, sent_ents, entity, metric, obj, earlier_products=()) -> ObjectRef | None:
        """What the amount is spent on, held in or paid for: the nearest other name in the sentence;
        a cost or an outlay with no product in its sentence is for the one the paragraph named last
        ('OpenAI spends $15 million a day on Sora. One clip costs it $1.30')."""
        if metric in ("stake", "stake_value", "acquisition") or metric == "investment" and obj is None:
            others = [e for e in sent_ents if (entity is None or e.name != entity.name) and e.type in ("organisation", "product")]
            if others:
                best = min(others, key=lambda e: abs(e.start - m.start))
                return ObjectRef(name=best.name, text=best.text, start=best.start, end=best.end)
        if metric in ("spending", "cost") and entity is not None:
            products = [e for e in sent_ents if e.type == "product" and e.name != entity.name]
            earlier = [e for e in earlier_products if e.name != entity.name]
            if products or earlier:
                best = min(products, key=lambda e: abs(e.start - m.start)) if products else earlier[-1]
                return ObjectRef(name=best.name, text=best.text, start=best.start, end=best.end)
        if obj:
            return ObjectRef(name=obj)
        return None

    # --- period and time -------------------------------------------------------------------

    def _period(self, ctx, f: FieldText, a: Amount, m: Mention, clause, sent, para, metric, obj, previous):
        """(Period, TimeRef, rule, projected) for one amount."""
        periods = f.periods
        rate = next((p for p in periods if p.rate and a.end <= p.start <= a.end + 2), None)
        spans = [p for p in periods if not p.rate and not p.same and not self._comparison_base(f, p)]

        def inside(block, pool):
            return [p for p in pool if block.contains(*self._span_of(f, p))]

        chosen: PeriodFound | None = None
        chosen_field = f
        rule = "default"
        # "2.5% مقارنة بالربع المماثل": a change is measured against the same period, it is not its figure
        same = self._same_period_of(f, a, sent) if metric != "growth" else None
        here = f.token_span(a.start)[0]

        def pick(block, kinds):
            cands = [p for p in inside(block, spans) if p.kind in kinds or (p.kind == "month" and self._month_of_flow(f, p))]
            before = [p for p in cands if self._span_of(f, p)[0] <= here]
            if before:
                return max(before, key=lambda p: p.start)
            return min(cands, key=lambda p: p.start) if cands else None

        reporting = ("quarter", "half_year", "nine_months", "none")
        # "40 mln dlrs for the whole year", "300 مليون ريال خلال الربع الثالث": a period right
        # after the amount is its own, before any named earlier in the clause
        chosen = next((p for p in inside(clause, spans) if p.kind in (*reporting, "year") and a.end <= p.start <= a.end + 3
                       and not any(a.end <= x.start < p.start and x.kind != "ordinal" and year_of(x) is None for x in f.amounts)), None)
        rule = f"right after {f.reader.tokens[chosen.start].text!r}" if chosen is not None else rule
        for block, where in ((clause, "clause"), (sent, "sentence")):
            if chosen is not None:
                break
            chosen = pick(block, reporting)
            if chosen is not None:
                rule = f"{where} {f.reader.tokens[chosen.start].text!r}"
        if chosen is None and same is None:
            chosen = pick(clause, ("year",))  # خلال عام 2014، for the full year
            rule = f"clause {f.reader.tokens[chosen.start].text!r}" if chosen is not None else rule
        if same is not None:
            earlier = [p for p in inside(sent, spans) if p.kind in reporting and p.start < min(same[0], a.start) and (p.relative or 0) >= 0]
            if earlier:
                chosen, chosen_field, rule = earlier[-1], f, "the same period as before"
            elif ctx.last_span is not None:
                chosen, chosen_field = ctx.last_span
                rule = "the same period as before"
            elif ctx.default_span is not None:
                chosen, chosen_field = ctx.default_span
                rule = "the same period as the article's"
        if chosen is None and ctx.section is not None and f.name == "text":
            chosen, chosen_field, rule = ctx.section, ctx.section_field, "table section"
        if chosen is None and metric == "writedown" and ctx.last_span is not None:
            chosen, chosen_field = ctx.last_span  # a charge is booked in the period the text reports
            rule = "the period reported last (a charge)"
        if chosen is None and ctx.title_periods and f.name == "text" and self._table_line(f, para) and ctx.title_field is not None:
            chosen, chosen_field, rule = ctx.title_periods[0], ctx.title_field, "the title's period (a results table)"
        if chosen is None and ctx.default_span is None:
            chosen = pick(sent, ("year",))
            rule = f"sentence {f.reader.tokens[chosen.start].text!r}" if chosen is not None else rule
        per_share = metric in ("profit", "loss") and rate is not None and rate.kind == "per_unit"
        if per_share:
            rate = None  # 7 سنتات للسهم: a result per share, for the reporting period
        if rate is not None:
            kind, rule = rate.kind, f"rate {f.reader.tokens[rate.start].text!r}"
        elif metric == "growth" and obj_of_share_price(f, a, self) and chosen is None:
            kind, rule = "day", "a share-price move"
        elif obj == "coupon_rate":
            kind, rule = "year", "an interest rate is a rate a year"
        elif obj == "exchange_rate" and m.kind == "money":
            kind, rule = "per_unit", "an exchange rate is a price of one unit"
        elif metric in STOCK_METRICS or (metric == "other" and (chosen is None or obj in _STOCK_OBJECTS) and not self._is_change and not self._is_discount):
            kind, rule = "none", "a stock or one-off"
        elif metric == "share" and not self._share_of_flow(f, a, sent):
            kind, rule = "none", "a share of a market or a stock"
        elif metric == "cost" and chosen is None and a.scale is None and m.value is not None and m.value < _ITEM_COST:
            kind, rule = "per_unit", "a cost of one item"  # يكلف إنتاج المقطع الواحد 4.77 درهم
        elif metric == "price" or (metric == "other" and self._is_discount):
            billing = self._billing_period(f, clause)
            kind, rule = (billing, "a price per billing period") if billing else ("per_unit", "a price")
        elif chosen is None and metric != "growth" and any(f.token_span(i)[0] < m.start for i, _ in self._cues(f, clause, {"balance"})):
            kind, rule = "none", "a balance (commitments outstanding)"
        elif self._invests_in and (chosen is None or chosen.kind == "year"):
            kind, rule = "none", "money put into a company: a one-off"  # "in 2019 it invested $1 billion in X"
        elif chosen is not None and not (chosen.kind == "year" and ctx.default_span is not None and chosen.time is None):
            kind = chosen.kind
        elif same is None and ctx.para_span is not None and (metric != "other" or self._is_change):
            chosen, kind, rule = ctx.para_span, ctx.para_span.kind, "the period named earlier in the paragraph"
        elif self._is_change and ctx.last_span is not None:
            chosen, chosen_field = ctx.last_span  # a change that explains the results just reported
            kind, rule = chosen.kind, "the period reported last"
        elif ctx.default_span is not None and metric != "other" and not self._dated_by_year(f, clause) and (
                self.lang == "ar" or self._table_line(f, para) or self._title_period_applies(ctx, f, sent)):
            chosen, chosen_field = ctx.default_span  # wire prose states annual figures unless it says otherwise
            kind, rule = chosen.kind, "the article's reporting period"
        else:
            kind, rule = "year", "default for a flow"
        time_only = None
        for block in (clause, sent):
            cands = [p for p in inside(block, spans) if (p.kind in (None, "month") or p.kind == "year" and p.time)
                     and (kind != "none" or self._dates_a_balance(f, a, p, clause)) and not self._dates_another(f, a, p)]
            if cands:
                time_only = min(cands, key=lambda p: abs(p.start - a.start))
                break
        period_span = rate or (chosen if chosen is not None and kind == chosen.kind and chosen_field is f else None)
        if period_span is not None:
            s, e = self._span_of(f, period_span)
            period = Period(kind=kind, text=f.text[s:e], start=s, end=e)  # type: ignore[arg-type]
        else:
            period = Period(kind=kind)  # type: ignore[arg-type]
        framed = f.name == "text" and kind in ("year", "none") and f.paragraph_of(sent.start) > 0  # the lead dates its own figures
        time = self._time(f, chosen, chosen_field, time_only, same, previous, sent, a, kind, (lambda: self._frame(ctx, f)) if framed else None)
        projected = bool(time_only is not None and time_only.projected)
        return period, time, rule, projected

    def _time(self, f, chosen, chosen_field, time_only, same, previous, sent, a, kind, frame=None) -> TimeRef | None:
        """The time a claim holds: its period's, a year named beside it, or the earlier
        period a comparison points back to ('vs', 'مقارنة ب', 'نفس الفترة من العام الماضي').
        A balance or a one-off holds at a day when the text gives one (بنهاية النصف الأول,
        'as at June 30'); a flow is dated no finer than its month."""
        value = None
        where = None
        if chosen is not None and chosen.time:
            value, where = self._year_of_sentence(f, chosen, chosen_field, sent), (chosen_field, chosen)
            if kind == "none" and chosen.closing:
                value = chosen.closing
        if same is not None and value is not None:
            value, where = self._same_period_time(f, value, same, where)
        elif time_only is not None and time_only.time and value is None:
            value, where = time_only.time, (f, time_only)
        back = self._compared_back(f, previous, a, sent) if previous is not None and previous.time and previous.time.value else None
        own = same is None and where is not None and where[0] is f and back is not None and self._span_of(f, where[1])[0] >= back
        if back is not None and not own:  # its own period, named after the comparison word, wins
            value = shift_year(previous.time.value, -1)
            where = None
        if value is None and frame is not None and kind in ("year", "none") and frame() is not None:
            return TimeRef(text="the year the article reports on", value=frame())
        if value is None:
            return None
        if kind not in ("none", "per_unit") and len(value) == 10 and value[4] == "-" and value[7] == "-":
            value = value[:7]  # a flow dated by a day is the day's month
        if where is not None:
            s, e = self._span_of(*where)
            return TimeRef(text=where[0].text[s:e], value=value)
        return TimeRef(text="comparison with the figure before", value=value)

    def _share_of_flow(self, f: FieldText, a: Amount, sent: Block) -> bool:
        """'20 pct of sales', '60% من الأرباح', 'exports made up 45 pct of the total': a share
        of a flow takes the flow's period; a share of a market, of the shares or of assets does not.
        The whole is named right after the percentage, else by the sentence before it."""
        tokens = f.reader.tokens
        for i in range(a.end, min(a.end + 4, len(tokens))):
            m = self.cues.longest(tokens, i, {"metric"})
            if m is not None:
                return m.payload[0] in _FLOW_METRICS
        before = self._cues(f, Block(sent.start, f.token_span(a.start)[0]), {"metric"})
        return bool(before) and before[-1][1].payload[0] in _FLOW_METRICS

    def _title_period_applies(self, ctx: _Context, f: FieldText, sent: Block) -> bool:
        """Wire prose under a headline that names its period (4TH QTR NET, FEBRUARY SALES) is about
        that period, unless the sentence dates itself by a year ('for the full year', 'in 1986')."""
        if ctx.default_span is None or ctx.default_span[1].name != "title":
            return False
        return not any(p.kind in (None, "year") and p.time and len(p.time.removeprefix("FY")) == 4 and not p.rate and sent.contains(*self._span_of(f, p)) for p in f.periods)

    def _dated_by_year(self, f: FieldText, clause: Block) -> bool:
        """'تبلغ 13 مليار دولار في 2025', 'بحلول 2027': a clause that names a year of its own is about
        that year, not the quarter or half the article reports."""
        return any(p.kind is None and not p.rate and not p.same and p.time and len(p.time.removeprefix("FY")) == 4
                   and clause.contains(*self._span_of(f, p)) for p in f.periods)

    def _month_of_flow(self, f: FieldText, p: PeriodFound) -> bool:
        """'February sales', 'مبيعات فبراير': a month right beside a metric word is the flow's period."""
        tokens = f.reader.tokens
        if self.cues.longest(tokens, p.end, {"metric"}) is not None:
            return True
        return any(m.end == p.start for _, m in self._cues(f, Block(f.token_span(max(0, p.start - 3))[0], f.token_span(p.start)[0]), {"metric"}))

    def _billing_period(self, f: FieldText, clause: Block) -> str | None:
        """'اشتراك لمدة أسبوع', 'a month': the period a recurring price is billed for."""
        for p in f.periods:
            if p.rate and p.kind in ("day", "week", "month", "year") and clause.contains(*self._span_of(f, p)):
                return p.kind
        return None

    @staticmethod
    def _same_period_time(f: FieldText, value: str, same, where):
        """'نفس الفترة من عام 2014', 'the year-ago quarter': the period before, in the year the
        phrase names, else a year earlier."""
        dated = next((p for p in f.periods if p.same and p.start == same[0]), None)
        if dated is None or not dated.time:
            return (shift_year(value, -1) if same[1].payload == "year_ago" else value), where
        fiscal = "FY" if value.startswith("FY") else ""
        return fiscal + dated.time + value.removeprefix("FY")[4:], (f, dated)

    def _same_period_of(self, f: FieldText, a: Amount, sent: Block):
        """'200 مليون ريال للفترة المماثلة', 'in the year-ago quarter': the phrase a few words
        after the amount, or before it with no other figure or period between ('مقارنة بالربع
        المماثل ... والتي بلغت أرباحه 1,901'), says the amount is the earlier period's."""
        clause = next((c for c in clauses(f.text, sent) if c.start <= f.token_span(a.start)[0] < c.end), sent)
        for i, m in self._cues(f, sent, {"same_period"}):
            if (0 <= i - a.end <= 4 or 0 <= a.start - m.end <= _NEAR_SAME) and (clause.contains(*f.token_span(i)) or 0 <= a.start - m.end <= 2):
                between = [x for x in f.amounts if x.kind in ("money", "percent") and (a.end <= x.start < i or m.end <= x.start < a.start)]
                named = [p for p in f.periods if p.kind is not None and not p.rate and m.end <= p.start < a.start]
                reached = m.end <= a.start and self._cues(f, Block(f.token_span(m.end - 1)[1], f.token_span(a.start)[0]), {"reaching"})
                if not between and not named and not reached:
                    return i, m
        return None

    def _compared_back(self, f: FieldText, previous: Claim, a: Amount, sent: Block) -> int | None:
        """'A vs B', 'up from B', 'مقارنة بـ B': B is the earlier period's figure. Returns where
        the comparison word ends, or None. A period named between that word and B dates B
        itself ("945 a year earlier, while in the second quarter it lost 900")."""
        if previous.amount.end > f.token_span(a.start)[0] or not sent.contains(previous.amount.start, previous.amount.end):
            return None
        if previous.amount.unit != "percent" and f.mentions[f.amounts.index(a)].kind == "percent":
            return None  # "fell to 3,850 from 4,065, down 5.3 pct": the change is of the current period
        here = f.token_span(a.start)[0]
        found = self._cues(f, Block(previous.amount.end, here), {"comparison"})
        if not found or a.start - found[-1][1].end > _NEAR_COMPARISON:
            return None  # "down 59.2 pct from a year earlier, on sales of 343 bln": not B's word
        after = f.token_span(found[-1][1].end - 1)[1]
        if any(p.time and not p.rate and Block(after, here).contains(*self._span_of(f, p)) for p in f.periods):
            return None
        clause = next((c for c in clauses(f.text, sent) if c.start <= here < c.end), sent)
        if not clause.contains(previous.amount.start, previous.amount.end) and any(
                p.kind is not None and not p.rate and clause.contains(*self._span_of(f, p)) for p in f.periods):
            return None  # "والربع الثالث خفض أرباحه من 742 مليونا": B's own clause names its period
        return after

    @staticmethod
    def _dates_another(f: FieldText, a: Amount, p: PeriodFound) -> bool:
        """'debt stood at 1.44 bln dlrs, compared with 776.6 mln dlrs in 1985': a date after
        another figure dates that figure."""
        if p.start < a.end:
            return False
        end = f.token_span(a.end - 1)[1]
        return any(a.end <= x.start < p.start and x.kind in ("money", "percent") and f.text[end : f.token_span(x.start)[0]].strip() != "("
                   for x in f.amounts)  # "41.89 bln yen (290 mln dlrs) in 1986": a conversion in brackets is the same figure

    def _dates_a_balance(self, f: FieldText, a: Amount, p: PeriodFound, clause: Block) -> bool:
        """A year dates a balance or a one-off anywhere in its sentence ('For 1985, it posted a
        gain of 14.3 mln'); a month or a day only in its clause and next to it ('بلغ في 30 يونيو
        2015 مبلغ 14,962', 'as at March 31'): one further on dates something else ('a six-month
        loan for repayment starting in December 1988')."""
        if p.time and len(p.time.removeprefix("FY")) == 4:
            return True
        gap = p.start - a.end if p.start >= a.end else a.start - p.end
        return gap <= _NEAR_DATE and clause.contains(*self._span_of(f, p))

    def _comparison_base(self, f: FieldText, p: PeriodFound) -> bool:
        """'بارتفاع 1923% عن الربع السابق', 'up from the previous quarter': an earlier period right
        after a comparison word is what the figure is compared with, not the figure's own."""
        if p.relative is None or p.relative >= 0:
            return False
        tokens = f.reader.tokens
        for back in (1, 2):
            i = p.start - back
            if i < 0:
                break
            m = self.cues.longest(tokens, i, {"comparison"})
            if m is not None and m.end == p.start:
                return True
        return False

    def _year_of_sentence(self, f: FieldText, chosen: PeriodFound, chosen_field: FieldText, sent: Block) -> str:
        """A quarter or half named without its year takes the year the sentence named before it
        ('أثر التعديل على العام 2014 ... الربع الثالث'), not the article date's."""
        value = chosen.time or ""
        if chosen.dated or chosen_field is not f:
            return value
        start = self._span_of(f, chosen)[0]
        years = [p for p in f.periods if p.kind in (None, "year") and p.time and len(p.time.removeprefix("FY")) == 4
                 and not p.projected and not p.same and sent.start <= self._span_of(f, p)[0] < start]
        if not years:
            return value
        year = years[-1].time.removeprefix("FY")  # type: ignore[union-attr]
        fiscal = value.startswith("FY")
        return ("FY" if fiscal else "") + year + value.removeprefix("FY")[4:]

    def _table_line(self, f: FieldText, para: Block) -> bool:
        return len(f.text[para.start : para.end].split()) <= 8

    @staticmethod
    def _span_of(f: FieldText, p: PeriodFound) -> tuple[int, int]:
        """Original offsets of a period's tokens (every claim asks for the same few, many times)."""
        key = (p.start, p.end)
        span = f._period_spans.get(key)
        if span is None:
            span = f._period_spans[key] = (f.token_span(p.start)[0], f.token_span(p.end - 1)[1])
        return span

    # --- modality -------------------------------------------------------------------------

    def _modality(self, f: FieldText, m: Mention, clause: Block, sent: Block) -> tuple[str, str]:
        found = self._cues(f, sent, {"modality"})
        before = [(i, x) for i, x in found if f.token_span(i)[0] < m.start]
        in_clause = [(i, x) for i, x in found if clause.contains(*f.token_span(i))]
        condition = next((x for _, x in before if x.payload == "conditional"), None)
        if condition is not None:  # "إذا استمر ...، فإن الفاتورة ستبلغ": the condition governs the clause after it
            return "conditional", f"cue {condition.phrase.words!r}"
        for pool in (in_clause, before):
            if pool:
                conditional = [p for p in pool if p[1].payload == "conditional"]
                pick = conditional[0] if conditional else min(pool, key=lambda p: abs(f.token_span(p[0])[0] - m.start))
                return pick[1].payload, f"cue {pick[1].phrase.words!r}"
        return "asserted", "none"

    # --- source ---------------------------------------------------------------------------

    def _verb_subject(self, f: FieldText, i: int, x: Match, sent: Block, ctx: _Context) -> Found | None:
        """The speaker a pronoun or an outlet noun stands for, right next to a verb of saying:
        'He put ... at', 'The magazine estimates', 'وقالت المجلة': the person named last, or the
        outlet the field named last before this sentence."""
        tokens = f.reader.tokens
        near = [j for j in (i - 1, i - 2) if j >= 0 and f.token_span(j)[0] >= sent.start] if self.lang == "en" else [x.end, x.end + 1]
        for j in near:
            if j >= len(tokens):
                break
            if self.pronouns.get(fold_form(tokens[j].text)) == "person" and self.lang == "en":
                people = [e for e in ctx.named.get(f.name, []) if e.type == "person" and e.end <= sent.start]
                return ctx.last_person or (people[-1] if people else None)
            noun = self.cues.longest(tokens, j, {"outlet_noun"})
            if noun is not None and (noun.end == i or j == x.end or j == x.end + 1 and tokens[x.end].kind != "word"):
                named = [e for e in ctx.named.get(f.name, []) if e.type == "outlet" and e.end <= sent.start]
                return named[-1] if named else None
        return None

    def _attribution(self, f: FieldText, sent: Block, ents: list[Found], ctx) -> tuple[Source, str] | None:
        """The attribution a sentence makes, if any: (source, how)."""
        found = self._cues(f, sent, {"src_before", "src_verb", "src_unnamed", "src_analysts"})
        if not found:
            return None
        sent_ents = [e for e in ents if sent.contains(e.start, e.end)]
        for i, x in found:
            s, e = f.token_span(i)
            end = f.token_span(x.end - 1)[1]
            if x.category == "src_unnamed":
                return Source(name="unnamed reports", kind="unnamed", text=f.text[s:end], start=s, end=end), "unnamed"
            if x.category == "src_analysts":
                firm = next((en for en in sent_ents if en.type in ("organisation", "outlet") and end <= en.start <= end + _NEAR_NAME
                             and fold_form(f.text[end : en.start].strip()) in self.not_subject), None)
                if firm is not None:  # "analysts at Bernstein said": the firm is the source
                    return Source(name=firm.name, kind="organisation", text=firm.text, start=firm.start, end=firm.end), "analysts at a named firm"
                return Source(name="analysts", kind="unnamed", text=f.text[s:end], start=s, end=end), "analysts"
            window = 60
            after = [en for en in sent_ents if end <= en.start <= end + window]
            before = [en for en in sent_ents if s - window <= en.end <= s]
            speaker = self._verb_subject(f, i, x, sent, ctx) if x.category == "src_verb" else None
            if speaker is None and x.category == "src_before":
                speaker = after[0] if after else None
            elif speaker is None and self.lang == "ar":
                speaker = after[0] if after else (before[-1] if before else None)
            elif speaker is None:
                speaker = before[-1] if before else (after[0] if after else None)
            if speaker is None:
                continue
            kind = {"outlet": "outlet", "person": "person"}.get(speaker.type, "organisation")
            return Source(name=speaker.name, kind=kind, text=speaker.text, start=speaker.start, end=speaker.end), f"{x.category} {x.phrase.words!r}"  # type: ignore[arg-type]
        return None


def obj_of_share_price(f: FieldText, a: Amount, builder: "ClaimBuilder") -> bool:
    """A percentage move of a share price (قفزت أسهم أمازون 17%، shares rose 5 pct)."""
    sent_start = max(0, a.start - 8)
    for i in range(sent_start, a.start):
        m = builder.cues.longest(f.reader.tokens, i, {"share_price"})
        if m is not None:
            return True
    return False


def _first_by_rank(pool: list[Found]) -> Found | None:
    """The first organisation; failing that the first country, index or product."""
    for ranks in ((0,), (1, 2)):
        for e in pool:
            if ENTITY_RANK.get(e.type, 3) in ranks:
                return e
    return None


def shift_year(value: str, years: int) -> str:
    """Move a time value by whole years: 2015-Q2 -> 2014-Q2, FY1987 -> FY1986.

    >>> shift_year("2015-H1", -1), shift_year("FY1987", -1), shift_year("1986-11/1987-01", -1)
    ('2014-H1', 'FY1986', '1985-11/1986-01')
    """
    if "/" in value:  # an interval of months: both ends move
        return "/".join(shift_year(part, years) for part in value.split("/"))
    match = re.match(r"^(FY)?(\d{4})(.*)$", value)
    if match is None:
        return value
    return f"{match.group(1) or ''}{int(match.group(2)) + years}{match.group(3)}"


@lru_cache(maxsize=None)
def _outlets() -> dict[str, str]:
    path = lexicons.LEXICONS / "outlets.yaml"
    return {fold_form(k): v for k, v in (lexicons.safe_yaml(path.read_text(encoding="utf-8")) or {}).items()}


def outlet_country(outlet: str | None) -> str | None:
    """The country an outlet publishes in (its bare riyal is that country's)."""
    return _outlets().get(fold_form(outlet)) if outlet else None


def _base_raw(m: Mention) -> str:
    """The currency word of a mention without its country adjective, folded."""
    raw = m.unit_raw or ""
    if m.cue and raw.endswith(m.cue):
        raw = raw[: -len(m.cue)]
    if m.cue and raw.startswith(m.cue):
        raw = raw[len(m.cue) :]
    return fold_form(raw.strip())


def _close(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if a == b:
        return True
    return abs(a - b) <= _VALUE_TOLERANCE * max(abs(a), abs(b))


def _merge_repeats(body: list[Claim]) -> list[Claim]:
    """A growth rate the text states again (a recap paragraph) is one claim: same entity,
    amount, period and time. The first statement keeps it, the others go to also_at. Sums
    of money repeat too often as different facts (a call and a message at 19 halalas)."""
    out: list[Claim] = []
    for c in body:
        twin = next((b for b in out if c.metric == "growth" and _same_fact(b, c)), None)
        if twin is not None:
            twin.also_at.append(Location(field=c.field, start=c.amount.start, end=c.amount.end))
        else:
            out.append(c)
    return out


def _same_fact(a: Claim, b: Claim) -> bool:
    same_amount = a.amount.unit == b.amount.unit and _close(a.amount.value, b.amount.value) and _close(a.amount.min, b.amount.min) and _close(a.amount.max, b.amount.max)
    return same_amount and _fact_key(a) == _fact_key(b)


def _fact_key(c: Claim) -> tuple:
    return (c.metric, c.entity.name if c.entity else None, c.object.name if c.object else None, c.period.kind, c.time.value if c.time else None)


def _merge_title(title: list[Claim], body: list[Claim]) -> list[Claim]:
    """A fact stated in the headline and the body is one claim, kept at the body, the title in also_at."""
    out = list(body)
    for t in title:
        twin = next(
            (b for b in body if b.amount.unit == t.amount.unit and b.metric == t.metric and _close(b.amount.value, t.amount.value) and _close(b.amount.min, t.amount.min)),
            None,
        )
        if twin is not None:
            twin.also_at.append(Location(field="title", start=t.amount.start, end=t.amount.end))
        else:
            out.append(t)
    return out
