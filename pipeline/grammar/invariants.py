"""What every output of the amount grammar and of the extractor must satisfy, whatever the input.

The property tests (tests/test_properties.py) and the fuzz targets (fuzz/*_target.py)
run these checks on generated text. Each function returns a list of problems, one line
each and empty when all is well, so a test can print them and a fuzz target can raise.

Re-derivable means: the grammar, run on a mention's own span `text[start:end]` alone,
returns a mention covering the whole span with the same kind, value, min, max and unit.
Two kinds of context outside the span legitimately change the reading, and only they
are accepted:

* a hedge before the span that the span leaves out: verbs such as "exceeded" or تجاوزت
  (`in_span: false` in lexicons/<lang>/qualifiers.yaml), or a hedge followed by the
  article glued to digits (أكثر من الـ12 مليار: the span starts at the digits). Alone,
  the span is the same amount, exact; in context it is bounded or approximate.
* an Arabic scale word that is dual or accusative (مليونا، مليارا): before a noun it is
  the dual construct (مليونا دولار = 2 million), standing alone the accusative singular
  (أنفقت مليونا = 1 million). A span that ends in the scale word counts it two in context
  and one alone (in a range, only the end it multiplies changes).

A currency is never resolved from outside the grammar's span (the country cue is part
of it); the claims stage may resolve one from the wider article, and then records how
in `amount.cue`. A claim's amount is the grammar's mention, signed when it is a fall
(`growth`, `*_change`: "fell 8%" is -8, see corpora/gold/CONVENTIONS.md).

`KNOWN_ISSUES` names defects outside the grammar that these checks find and that are
not fixed yet. Each has a strict xfail test in tests/test_properties.py: when it is
fixed that test fails, and the entry goes.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from .. import lexicons
from ..models import Mention
from ..normalize import fold_form
from . import find_mentions
from .phrases import table
from .tokens import tokenize

if TYPE_CHECKING:
    from ..models import Article
    from ..stages import ArticleResult

_HEDGED = ("approx", "at_least", "at_most")
_SIGNED = ("growth",)  # metrics whose claims carry a fall as a negative value (and "*_change" objects)

KNOWN_ISSUES: dict[str, str] = {}


def mention_problems(text: str, lang: str, mentions: list[Mention], rederive: bool = True) -> list[str]:
    """Offsets inside `text` and matching it, sane values, left-to-right order, re-derivable values."""
    problems: list[str] = []
    previous_end = 0
    for m in mentions:
        where = f"{lang} mention {m.text!r} [{m.start}:{m.end}] ({m.rule})"
        try:
            Mention.model_validate(m.model_dump())
        except ValueError as err:
            problems.append(f"{where}: not a valid Mention: {err}")
        if not 0 <= m.start <= m.end <= len(text):
            problems.append(f"{where}: offsets outside the text (length {len(text)})")
            continue
        if text[m.start : m.end] != m.text:
            problems.append(f"{where}: text[start:end] is {text[m.start:m.end]!r}")
        if m.start < previous_end:
            problems.append(f"{where}: overlaps the mention before it (ends at {previous_end})")
        previous_end = m.end
        problems.extend(f"{where}: {p}" for p in _shape_problems(m))
        problems.extend(f"{where}: {p}" for p in _json_problems(m))
        if m.cue is not None and m.cue not in m.text:
            problems.append(f"{where}: its cue {m.cue!r} lies outside the span")
        if rederive:
            problem = rederive_problem(text, lang, m)
            if problem:
                problems.append(f"{where}: {problem}")
    return problems


def _shape_problems(m: Mention) -> list[str]:
    """A range has bounds and no value; anything else has a value, and a bound copies it."""
    if m.qualifier == "range":
        if m.value is not None or m.min is None or m.max is None or m.min > m.max:
            return [f"a range with value={m.value} min={m.min} max={m.max}"]
        return []
    if m.value is None:
        return ["no value and not a range"]
    expected = {"at_least": (m.value, None), "at_most": (None, m.value)}.get(m.qualifier, (None, None))
    if (m.min, m.max) != expected:
        return [f"{m.qualifier} with min={m.min} max={m.max}"]
    return []


def _json_problems(m: Mention) -> list[str]:
    """What analysts receive: a finite JSON number, zero only when the amount is zero."""
    dumped = m.model_dump(mode="json")
    out = []
    for name in ("value", "min", "max"):
        exact, written = getattr(m, name), dumped[name]
        if exact is not None and (not math.isfinite(written) or (exact == 0) != (written == 0)):
            out.append(f"{name} {exact} is written as {written}")
    return out


def _key(m: Mention) -> tuple:
    return (m.kind, m.value, m.min, m.max, m.unit)


def rederive_problem(text: str, lang: str, m: Mention) -> str | None:
    """None when the span alone reads as the same amount (see the module docstring)."""
    again = find_mentions(m.text, lang)
    whole = [a for a in again if (a.start, a.end) == (0, len(m.text))]
    if any(_key(a) == _key(m) for a in whole):
        return None
    if any(_hedge_outside(text, lang, m, a) or _dual_before_noun(text, lang, m, a) for a in whole):
        return None
    found = [(a.text, a.kind, str(a.value), str(a.min), str(a.max), a.unit, a.rule) for a in again]
    return f"alone, the span reads {found}, not {(m.kind, str(m.value), str(m.min), str(m.max), m.unit)}"


@lru_cache(maxsize=None)
def _hedge_forms(lang: str) -> tuple[str, ...]:
    return tuple(fold_form(form) for entry in lexicons.qualifiers(lang).before for form in entry.forms)


def _hedge_outside(text: str, lang: str, m: Mention, alone: Mention) -> bool:
    """The span alone is the same amount, exact, and a hedge ends right before the span."""
    if m.qualifier not in _HEDGED or alone.qualifier != "exact" or not m.rule.startswith(f"<{m.qualifier}>"):
        return False
    if (alone.kind, alone.value, alone.unit) != (m.kind, m.value, m.unit):
        return False
    tail = fold_form(text[max(0, m.start - 80) : m.start]).rstrip()
    words = tail.split()
    if words and words[-1] in table(lang).proclitics:  # أكثر من الـ12: the article glued to the digits
        tail = tail[: len(tail) - len(words[-1])].rstrip()
    return any(tail.endswith(form) for form in _hedge_forms(lang))


@lru_cache(maxsize=None)
def _dual_or_accusative(lang: str) -> frozenset[str]:
    return frozenset(fold_form(f) for s in lexicons.scales(lang) if s.number == "dual_or_accusative" for f in s.forms)


def _dual_before_noun(text: str, lang: str, m: Mention, alone: Mention) -> bool:
    """مليونا before a word counts two; alone it counts one. In a range (20- مليونا) only
    the ends the scale word multiplies double."""
    tokens = tokenize(fold_form(m.text))
    if not tokens or tokens[-1].text not in _dual_or_accusative(lang):
        return False
    if (alone.kind, alone.unit, alone.qualifier) != (m.kind, m.unit, m.qualifier):
        return False
    pairs = [(getattr(m, f), getattr(alone, f)) for f in ("value", "min", "max")]
    if not all(ours == theirs or (ours is not None and theirs is not None and ours == 2 * theirs) for ours, theirs in pairs):
        return False
    after = fold_form(text[m.end : m.end + 80]).lstrip()  # folded: a bidi mark before the word is no word
    return bool(after) and after[0].isalpha()


def result_problems(article: Article, result: ArticleResult, known: frozenset[str] | None = None) -> list[str]:
    """No crash recorded, every claim grounded in its field, every amount one of the grammar's.

    Problems of the `known` issues (default: all of `KNOWN_ISSUES`) are left out.
    """
    known = frozenset(KNOWN_ISSUES) if known is None else known
    problems = [f"{i.code} {i.message}" for i in result.report.issues if i.code.startswith("X")]
    lang = article.lang or "en"
    for name, found in result.mentions.items():
        field_text = article.title if name == "title" else article.text
        problems.extend(f"{name}: {p}" for p in mention_problems(field_text, lang, found, rederive=False))
    for claim in result.claims:
        field_text = article.title if claim.field == "title" else article.text
        where = f"claim {claim.id}"
        a = claim.amount
        spans = {"amount": (a.text, a.start, a.end), "evidence": (claim.evidence.text, claim.evidence.start, claim.evidence.end)}
        for label, ref in (("entity", claim.entity), ("object", claim.object), ("period", claim.period), ("source", claim.source)):
            if ref is not None and (ref.start is not None or ref.end is not None):
                spans[label] = (ref.text, ref.start, ref.end)
        other_text = article.text if claim.field == "title" else article.title
        for label, (said, start, end) in spans.items():
            if label == "entity" and "entity-in-other-field" in known and _grounded(other_text, said, start, end) and not _grounded(field_text, said, start, end):
                continue
            if start is None or end is None or not 0 <= start <= end <= len(field_text):
                problems.append(f"{where}: {label} offsets [{start}:{end}] outside its {claim.field} ({len(field_text)})")
            elif field_text[start:end] != said:
                problems.append(f"{where}: {label} says {said!r}, the {claim.field} has {field_text[start:end]!r}")
        for loc in claim.also_at:
            other = article.title if loc.field == "title" else article.text
            if not 0 <= loc.start < loc.end <= len(other):
                problems.append(f"{where}: also_at [{loc.start}:{loc.end}] outside its {loc.field}")
        grammar = [m for m in result.mentions.get(claim.field, []) if (m.start, m.end) == (a.start, a.end)]
        if not grammar:
            problems.append(f"{where}: amount {a.text!r} is not one of the grammar's mentions")
            continue
        m = grammar[0]
        read = [(m.value, m.min, m.max)]
        if claim.metric in _SIGNED or (claim.object is not None and claim.object.name.endswith("_change")):
            read.append((_neg(m.value), _neg(m.max), _neg(m.min)))  # "fell 8%": -8
        if (a.value, a.min, a.max) not in read or a.qualifier != m.qualifier:
            problems.append(f"{where}: amount {a.text!r} is {a.value}/{a.min}/{a.max} {a.qualifier}, the grammar read {m.value}/{m.min}/{m.max} {m.qualifier}")
        if a.unit != m.unit and a.cue is None:
            problems.append(f"{where}: unit {a.unit} differs from the grammar's {m.unit} and no cue says why")
    return problems


def _grounded(text: str, said: str | None, start: int | None, end: int | None) -> bool:
    return start is not None and end is not None and 0 <= start <= end <= len(text) and text[start:end] == said


def _neg(value: Decimal | None) -> Decimal | None:
    return -value if value is not None else None


def result_json(result: ArticleResult) -> str:
    """Everything a result holds, as one JSON string: equal strings mean equal results."""
    return json.dumps(
        {
            "report": result.report.model_dump(mode="json"),
            "claims": [c.model_dump(mode="json") for c in result.claims],
            "mentions": {k: [m.model_dump(mode="json") for m in v] for k, v in result.mentions.items()},
        },
        ensure_ascii=False,
        sort_keys=True,
        default=_decimal,
    )


def _decimal(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
