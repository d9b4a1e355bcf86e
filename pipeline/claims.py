"""Claims: tie each amount to an entity, a metric, a period, a time, a source and a modality.

The grammar has already found the amounts; this stage spends NLP only around
them. For each money or percentage amount (and each bare amount that inherits a
currency, as in "Revs 15.2 mln vs 12.1 mln dlrs") it looks in the amount's
clause, then its sentence, then its paragraph, for the words that fill each
field, and records in `rule` which evidence filled which field.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

import yaml

from . import lexicons
from .entities import EntityFinder, Found
from .grammar.money import Amount, AmountReader
from .grammar.periods import PeriodFound, find_periods, year_of
from .grammar.phrases import Match, cue_table, currency_countries
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

STOCK_METRICS = {"valuation", "stake", "stake_value", "acquisition", "debt", "fine", "investment", "funding", "writedown", "budget", "share"}
FLOW_METRICS = {"spending", "cost", "revenue", "profit", "loss", "margin", "growth", "other"}
ENTITY_RANK = {"organisation": 0, "country": 1, "index": 1, "product": 2, "person": 3, "other": 3, "outlet": 4}
_VALUE_TOLERANCE = Decimal("0.005")


@lru_cache(maxsize=None)
def country_currencies() -> dict[str, str]:
    path = lexicons.LEXICONS / "country_currencies.yaml"
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


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


class ClaimBuilder:
    """Builds the claims of articles in one language; reuse it across articles."""

    def __init__(self, lang: str, entities: EntityFinder):
        self.lang = lang
        self.entities = entities
        self.cues = cue_table(lang)

    # --- the article -------------------------------------------------------------

    def build(self, article: Article, fields: list[FieldText]) -> list[Claim]:
        ctx = _Context(article, self.lang, article_date(article))
        self._currency_context(ctx, fields)
        claims: list[Claim] = []
        entity_memory: list[Found] = []
        title_claims: list[Claim] = []
        for f in fields:
            if not self._candidates(f):
                continue
            paras = paragraphs(f.text) if f.name == "text" else [Block(0, len(f.text))]
            found_entities = self._entities_by_paragraph(f, paras)
            if ctx.main_entity is None:
                ctx.main_entity = self._main_entity(found_entities)
            out = title_claims if f.name == "title" else claims
            for para, ents in zip(paras, found_entities):
                entity_memory.extend(e for e in ents if e.type == "organisation")
                out.extend(self._paragraph_claims(ctx, f, para, ents, entity_memory))
        return _merge_title(title_claims, claims)

    def _candidates(self, f: FieldText) -> list[int]:
        return [k for k, m in enumerate(f.mentions) if m.kind in ("money", "percent") or self._bare_amount(f, k)]

    def _bare_amount(self, f: FieldText, k: int) -> bool:
        """A number with a scale or of four digits or more, next to money in the same sentence."""
        m = f.mentions[k]
        a = f.amounts[k]
        if m.kind != "number" or year_of(a) is not None or (m.value is not None and m.value < 0):
            return False
        if a.scale is None and (m.value or m.min or Decimal(0)) < 1000:
            return False
        for j in (k - 1, k + 1, k - 2, k + 2):
            if 0 <= j < len(f.mentions) and f.mentions[j].kind == "money" and abs(f.mentions[j].start - m.start) < 160:
                return True
        return False

    def _entities_by_paragraph(self, f: FieldText, paras: list[Block]) -> list[list[Found]]:
        """Entities of every paragraph that holds a candidate amount (NLP only there)."""
        starts = [m.start for k, m in enumerate(f.mentions) if k in set(self._candidates(f))]
        out: list[list[Found]] = []
        for p in paras:
            if any(p.start <= s < p.end for s in starts) or p is paras[0]:
                out.append(self.entities.find(f.text, p.start, p.end))
            else:
                out.append([])
        return out

    @staticmethod
    def _main_entity(found: list[list[Found]]) -> Found | None:
        counts = Counter(e.name for ents in found for e in ents if e.type == "organisation")
        if not counts:
            return None
        name = counts.most_common(1)[0][0]
        return next(e for ents in found for e in ents if e.name == name)

    # --- currencies ----------------------------------------------------------------

    def _currency_context(self, ctx: _Context, fields: list[FieldText]) -> None:
        """Currencies the article resolves somewhere: 'ريال سعودي' once settles every bare ريال."""
        for f in fields:
            for m in f.mentions:
                if m.kind != "money" or m.unit is None or m.unit_raw is None:
                    continue
                raw = _base_raw(m)
                if m.cue is not None:
                    ctx.currency_by_raw.setdefault(raw, (m.unit, f"{m.unit_raw} at {f.name}:{m.start}"))
                if m.unit in ("USD", "CAD", "AUD", "HKD", "EUR") and ctx.dollar_like is None:
                    ctx.dollar_like = (m.unit, f"{m.unit_raw} at {f.name}:{m.start}")

    def _resolve_unit(self, ctx: _Context, f: FieldText, k: int, entity: Found | None) -> tuple[str | None, str | None, str | None]:
        """(unit, unit_raw, cue) of candidate k, inheriting or resolving what the words leave open."""
        m = f.mentions[k]
        if m.kind == "percent":
            return m.unit, m.unit_raw, None
        if m.kind == "number":
            donor = self._currency_donor(f, k)
            if donor is None:
                return None, None, None
            return donor.unit, donor.unit_raw, f"inherited from {donor.text!r} at {f.name}:{donor.start}"
        if m.unit is not None:
            return m.unit, m.unit_raw, m.cue
        raw = _base_raw(m)
        if raw in ctx.currency_by_raw:
            iso, where = ctx.currency_by_raw[raw]
            return iso, m.unit_raw, f"article names it: {where}"
        if f.amounts[k].subunit and ctx.dollar_like is not None:
            return ctx.dollar_like[0], m.unit_raw, f"cents of {ctx.dollar_like[1]}"
        country = entity.country if entity is not None else None
        if country is None and ctx.main_entity is not None:
            country = ctx.main_entity.country
        iso = country_currencies().get(country) if country else None
        if iso is not None and iso in currency_countries(self.lang, raw):
            return iso, m.unit_raw, f"entity country {country}"
        return None, m.unit_raw, None

    @staticmethod
    def _currency_donor(f: FieldText, k: int) -> Mention | None:
        best = None
        for j, other in enumerate(f.mentions):
            if other.kind == "money" and other.unit is not None:
                d = abs(other.start - f.mentions[k].start)
                if d < 160 and (best is None or d < best[0]):
                    best = (d, other)
        return best[1] if best else None

    # --- one paragraph ---------------------------------------------------------------

    def _paragraph_claims(self, ctx, f: FieldText, para: Block, ents: list[Found], memory: list[Found]) -> list[Claim]:
        cands = [k for k in self._candidates(f) if para.start <= f.mentions[k].start < para.end]
        if not cands:
            return []
        sents = sentences(f.text, para, self.lang) if f.name == "text" else [para]
        source_state: tuple[Source, str] | None = None
        out: list[Claim] = []
        for sent in sents:
            attribution = self._attribution(f, sent, ents, ctx)
            if attribution is not None and attribution[1] != "local":
                source_state = attribution
            for k in cands:
                m = f.mentions[k]
                if not sent.contains(m.start, m.end):
                    continue
                source = attribution if attribution is not None else source_state
                claim = self._claim(ctx, f, k, sent, para, ents, memory, source)
                if claim is not None:
                    out.append(claim)
        return out

    # --- one claim -------------------------------------------------------------------

    def _claim(self, ctx, f, k, sent, para, ents, memory, source_state) -> Claim | None:
        m = f.mentions[k]
        a = f.amounts[k]
        clause = next((c for c in clauses(f.text, sent) if c.start <= m.start < c.end), sent)
        sent_ents = [e for e in ents if sent.contains(e.start, e.end)]
        speaker = source_state[0].name if source_state else None
        metric, obj, metric_rule, sign = self._metric(f, k, clause, sent)
        entity, entity_rule = self._entity(ctx, f, m, clause, sent, sent_ents, ents, memory, speaker, metric)
        object_ref = self._object(f, m, sent_ents, entity, metric, obj)
        unit, unit_raw, cue = self._resolve_unit(ctx, f, k, entity)
        if m.kind == "money" and unit is None and m.unit_raw is None:
            return None
        period, time, period_rule, projected_by = self._period(ctx, f, a, m, clause, sent, para, metric)
        modality, modality_rule = self._modality(f, m, clause, sent)
        if projected_by and modality == "asserted":
            modality, modality_rule = "projected", "target year"
        source = source_state[0] if source_state else Source(name="article", kind="article")
        value, lo, hi = m.value, m.min, m.max
        if sign < 0 and metric == "growth" and m.kind == "percent":
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
        confidence += 0.1 if period_rule not in ("default", "none") else 0
        rule = "; ".join([
            f"amount {m.rule}", f"entity {entity_rule}", f"metric {metric_rule}",
            f"period {period_rule}", f"modality {modality_rule}",
            f"source {source_state[1] if source_state else 'article voice'}",
        ])
        return Claim(
            id=f"{ctx.article.id}:{f.name[0]}{m.start}-{m.end}",
            article_id=ctx.article.id, lang=self.lang, field=f.name,  # type: ignore[arg-type]
            entity=EntityRef(name=entity.name, text=entity.text, start=entity.start, end=entity.end, type=entity.type) if entity else None,  # type: ignore[arg-type]
            object=object_ref, metric=metric, amount=amount, period=period, time=time,  # type: ignore[arg-type]
            source=source, modality=modality,  # type: ignore[arg-type]
            evidence=Span(text=f.text[sent.start : sent.end], start=sent.start, end=sent.end),
            confidence=round(min(confidence, 1.0), 2), rule=rule,
        )

    # --- metric ----------------------------------------------------------------------

    def _cues(self, f: FieldText, block: Block, categories: set[str]) -> list[tuple[int, Match]]:
        """Cue phrases inside an original-offset block: (token index, match)."""
        a, b = f.tokens_in(block)
        out = []
        i = a
        tokens = f.reader.tokens
        while i < b:
            m = self.cues.longest(tokens, i, categories)
            if m is not None and m.end <= b:
                out.append((i, m))
                i = m.end
            else:
                i += 1
        return out

    def _metric(self, f: FieldText, k: int, clause: Block, sent: Block) -> tuple[str, str | None, str, int]:
        """(metric, object, rule, sign) for mention k."""
        a = f.amounts[k]
        m = f.mentions[k]
        found = self._cues(f, sent, {"metric", "growth_up", "growth_down"})
        in_clause = [(i, x) for i, x in found if clause.contains(*f.token_span(i))]
        growth = [(i, x) for i, x in in_clause if x.category.startswith("growth")]
        metrics_ = [(i, x) for i, x in found if x.category == "metric"]
        metric_clause = [(i, x) for i, x in in_clause if x.category == "metric"]
        sign = 1
        if growth:
            i, g = min(growth, key=lambda p: abs(p[0] - a.start))
            sign = g.payload
        if m.kind == "percent":
            for i, x in sorted(metric_clause, key=lambda p: abs(p[0] - a.start)):
                metric, obj = x.payload
                if metric in ("stake", "share", "margin"):
                    return metric, obj, f"trigger {x.phrase.words!r}", 1
            if growth:
                changed = min(metrics_, key=lambda p: abs(p[0] - a.start), default=None)
                obj = changed[1].payload[0] if changed is not None else None
                if changed is not None and changed[1].payload[1]:
                    obj = f"{changed[1].payload[1]}_{obj}" if obj != "price" else changed[1].payload[1]
                return "growth", obj, f"growth word {g.phrase.words!r}", sign
            if metric_clause:
                i, x = min(metric_clause, key=lambda p: abs(p[0] - a.start))
                metric, obj = x.payload
                if metric in ("revenue", "profit", "loss", "spending", "cost", "price", "valuation"):
                    return "growth", metric, f"percent of {x.phrase.words!r}", 1
                return metric, obj, f"trigger {x.phrase.words!r}", 1
            return "other", None, "default", 1
        pool = metric_clause or metrics_
        if pool:
            before = [(i, x) for i, x in pool if i < a.start]
            pick = max(before, key=lambda p: p[0]) if before else min(pool, key=lambda p: p[0])
            metric, obj = pick[1].payload
            if metric == "stake_value" and not any(fm.kind == "percent" for fm in f.mentions if sent.contains(fm.start, fm.end)):
                others = [(i, x) for i, x in pool if x.payload[0] != "stake_value"]
                if others:
                    metric, obj = max(others, key=lambda p: p[0])[1].payload
                else:
                    metric, obj = "other", None
            return metric, obj, f"trigger {pick[1].phrase.words!r}", 1
        return "other", None, "default", 1

    # --- entity and object ---------------------------------------------------------------

    def _entity(self, ctx, f, m, clause, sent, sent_ents, para_ents, memory, speaker, metric) -> tuple[Found | None, str]:
        usable = [e for e in sent_ents if e.type != "outlet" and e.name != speaker and not (e.start <= m.start < e.end)]
        in_clause = [e for e in usable if clause.contains(e.start, e.end)]
        for pool, where in ((in_clause, "clause"), (usable, "sentence")):
            before = [e for e in pool if e.end <= m.start]
            if before:
                best = min(before, key=lambda e: (ENTITY_RANK.get(e.type, 3), m.start - e.end))
                return best, f"{where}, before"
            if pool:
                best = min(pool, key=lambda e: (ENTITY_RANK.get(e.type, 3), e.start - m.end))
                return best, f"{where}, after"
        earlier = [e for e in para_ents if e.end <= sent.start and e.type == "organisation" and e.name != speaker]
        if earlier:
            return earlier[-1], "paragraph, last organisation"
        prior = [e for e in memory if e.end <= sent.start and e.name != speaker] if f.name == "text" else []
        if prior:
            return prior[-1], "article, last organisation"
        if ctx.main_entity is not None:
            return ctx.main_entity, "article, main organisation"
        return None, "none"

    def _object(self, f, m, sent_ents, entity, metric, obj) -> ObjectRef | None:
        if metric in ("stake", "stake_value", "acquisition"):
            others = [e for e in sent_ents if entity is None or e.name != entity.name]
            others = [e for e in others if e.type in ("organisation", "product")]
            if others:
                best = min(others, key=lambda e: abs(e.start - m.start))
                return ObjectRef(name=best.name, text=best.text, start=best.start, end=best.end)
        if metric in ("spending", "cost") and entity is not None:
            products = [e for e in sent_ents if e.type == "product" and e.name != entity.name]
            if products:
                best = min(products, key=lambda e: abs(e.start - m.start))
                return ObjectRef(name=best.name, text=best.text, start=best.start, end=best.end)
        if obj:
            return ObjectRef(name=obj)
        return None

    # --- period and time -------------------------------------------------------------------

    def _period(self, ctx, f: FieldText, a: Amount, m: Mention, clause, sent, para, metric):
        """(Period, TimeRef, rule, projected) for one amount."""
        periods = f.periods
        rate = next((p for p in periods if p.rate and a.end <= p.start <= a.end + 2), None)
        spans = [p for p in periods if not p.rate]

        def inside(block, pool):
            return [p for p in pool if block.contains(*self._span_of(f, p))]

        chosen = None
        rule = "default"
        for block, where in ((clause, "clause"), (sent, "sentence"), (para, "paragraph")):
            cands = [p for p in inside(block, spans) if p.kind is not None]
            if cands:
                chosen = min(cands, key=lambda p: abs(p.start - a.start))
                rule = f"{where} {f.reader.tokens[chosen.start].text!r}"
                break
        time_only = None
        for block in (clause, sent):
            cands = [p for p in inside(block, spans) if p.kind is None]
            if cands:
                time_only = min(cands, key=lambda p: abs(p.start - a.start))
                break
        kind: str
        if rate is not None:
            kind, rule = rate.kind, f"rate {f.reader.tokens[rate.start].text!r}"  # type: ignore[assignment]
        elif metric in STOCK_METRICS:
            kind = "none"
        elif metric == "price":
            kind = "per_unit"
        elif chosen is not None and chosen.kind != "month":
            kind = chosen.kind  # type: ignore[assignment]
        elif time_only is not None and metric in FLOW_METRICS and len(time_only.time or "") == 4:
            kind, rule = "year", "year named"
        else:
            kind, rule = "none", "none"
        period_span = rate or (chosen if kind == (chosen.kind if chosen else None) else None)
        if period_span is not None:
            s, e = self._span_of(f, period_span)
            period = Period(kind=kind, text=f.text[s:e], start=s, end=e)  # type: ignore[arg-type]
        else:
            period = Period(kind=kind)  # type: ignore[arg-type]
        time = None
        source_of_time = chosen if chosen is not None and chosen.time else time_only
        if source_of_time is not None and source_of_time.time:
            s, e = self._span_of(f, source_of_time)
            time = TimeRef(text=f.text[s:e], value=source_of_time.time)
        projected = bool(time_only is not None and time_only.projected)
        return period, time, rule, projected

    def _span_of(self, f: FieldText, p: PeriodFound) -> tuple[int, int]:
        s = f.token_span(p.start)[0]
        e = f.token_span(p.end - 1)[1]
        return s, e

    # --- modality -------------------------------------------------------------------------

    def _modality(self, f: FieldText, m: Mention, clause: Block, sent: Block) -> tuple[str, str]:
        found = self._cues(f, sent, {"modality"})
        before = [(i, x) for i, x in found if f.token_span(i)[0] < m.start]
        in_clause = [(i, x) for i, x in found if clause.contains(*f.token_span(i))]
        for pool in (in_clause, before):
            if pool:
                conditional = [p for p in pool if p[1].payload == "conditional"]
                pick = conditional[0] if conditional else min(pool, key=lambda p: abs(f.token_span(p[0])[0] - m.start))
                return pick[1].payload, f"cue {pick[1].phrase.words!r}"
        return "asserted", "none"

    # --- source ---------------------------------------------------------------------------

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
                return Source(name="analysts", kind="unnamed", text=f.text[s:end], start=s, end=end), "analysts"
            window = 60
            after = [en for en in sent_ents if end <= en.start <= end + window]
            before = [en for en in sent_ents if s - window <= en.end <= s]
            speaker = None
            if x.category == "src_before":
                speaker = after[0] if after else None
            elif self.lang == "ar":
                speaker = after[0] if after else (before[-1] if before else None)
            else:
                speaker = before[-1] if before else (after[0] if after else None)
            if speaker is None:
                continue
            kind = {"outlet": "outlet", "person": "person"}.get(speaker.type, "organisation")
            return Source(name=speaker.name, kind=kind, text=speaker.text, start=speaker.start, end=speaker.end), f"{x.category} {x.phrase.words!r}"  # type: ignore[arg-type]
        return None


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
