"""Periods: "يوميًا", "الربع الثالث 2024", "النصف الأول", "fiscal 1987", "Nine mths", "by 2027".

`find_periods` reads one text (through the `AmountReader` that already found
its amounts, so ordinals and years are known) and returns every period
expression with its kind and, where it can be resolved against the article
date, its time: `2015-Q2`, `FY2015-Q3`, `2015-H1`, `1986-9M`, `2015`, `2015-07`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .money import Amount, AmountReader
from .phrases import cue_table

_YEAR_MIN, _YEAR_MAX = 1900, 2100
_LINKS_AR = {"من", "عام", "العام", "لعام", "سنه", "السنه", "لسنه", "للعام", "في", "خلال"}
_LINKS_EN = {"of", "in", "for", "fiscal", ",", "the", "year", "ended", "ending"}
_HALF = {"quarter": 3, "half_year": 6, "nine_months": 9}
_PERIOD_WORDS = frozenset({"rate", "span", "by_year", "month", "relative", "same_period", "period_ended"})


@dataclass(frozen=True, slots=True)
class PeriodFound:
    kind: str | None  # a PeriodKind, or None for a time alone ("2014", "يوليو 2015")
    time: str | None
    start: int  # token indices in the reader
    end: int
    rate: bool = False  # a rate after an amount: يوميا, a day
    projected: bool = False  # a target date: بحلول 2027


def year_of(amount: Amount) -> int | None:
    """The year a number mention stands for, if it looks like one."""
    if amount.kind != "number" or amount.value is None or amount.scale is not None:
        return None
    v = amount.value
    if v != v.to_integral_value() or not (_YEAR_MIN <= v <= _YEAR_MAX):
        return None
    return int(v)


def find_periods(reader: AmountReader, amounts: list[Amount], today: date | None) -> list[PeriodFound]:
    """Every period expression of the text, left to right."""
    cues = cue_table(reader.lang)
    tokens = reader.tokens
    at_start = {a.start: a for a in amounts}
    at_end = {a.end: a for a in amounts}
    links = _LINKS_AR if reader.lang == "ar" else _LINKS_EN
    out: list[PeriodFound] = []
    ended: PeriodFound | None = None  # the last "period ended <date>"
    i = 0
    while i < len(tokens):
        counted = _month_count(tokens, i, at_start, at_end, cues, links, today) if i in at_start else None
        if counted is not None:
            out.append(counted)
            i = max(counted.end, i + 1)
            continue
        m = cues.longest(tokens, i, _PERIOD_WORDS) if cues.may_start(tokens[i]) else None  # most words start no cue
        if m is not None and m.category == "period_ended":
            found = _period_ended(tokens, m, i, at_start, links, cues, today, ended)
            if found is not None:
                out.append(found)
                ended = found
                i = found.end
            else:
                i = m.end
            continue
        if m is not None and m.category == "same_period":
            _, end = _year_after(tokens, m.end, at_start, links, cues, today)
            i = max(end, m.end)  # "نفس الفترة من العام السابق": that year dates the same period, it is no span
            continue
        if m is not None and m.category == "relative":
            i = m.end  # "a year earlier": not a rate or a span of its own
            continue
        if m is None:
            amount = at_start.get(i)
            year = year_of(amount) if amount is not None else None
            if year is not None:
                out.append(PeriodFound(None, str(year), i, amount.end))  # type: ignore[union-attr]
                i = amount.end  # type: ignore[union-attr]
                continue
            i += 1
            continue
        if m.category == "rate":
            out.append(PeriodFound(m.payload, None, i, m.end, rate=True))
            i = m.end
            continue
        if m.category == "by_year":
            year, end = _year_after(tokens, m.end, at_start, links, cues, today)
            if year is not None:
                out.append(PeriodFound(None, str(year), i, end, projected=True))
                i = end
                continue
            i = m.end
            continue
        if m.category == "month":
            day_before = at_end.get(i) is not None and at_end[i].kind == "number"
            day_after = at_start.get(m.end) is not None and at_start[m.end].kind == "number" and year_of(at_start[m.end]) is None
            year, end = _year_after(tokens, m.end, at_start, links, cues, today, allow_day=True)
            if year is None and today is not None:
                year, end = (today.year if int(m.payload) <= today.month else today.year - 1), m.end
            kind = None if day_before or day_after else "month"  # "March 3" is a date; "February sales" a month
            out.append(PeriodFound(kind, f"{year}-{int(m.payload):02d}" if year else None, i, end))
            i = max(end, i + 1)
            continue
        found = _span(reader, m, i, at_start, at_end, links, cues, today)
        if found is not None:
            out.append(found)
            i = max(found.end, i + 1)
        else:
            i = m.end
    return out


def _span(reader, m, i, at_start, at_end, links, cues, today) -> PeriodFound | None:
    """A reporting period: quarter/half/nine months/year with its ordinal, year and fiscal mark."""
    tokens = reader.tokens
    kind = m.payload
    start, j = i, m.end
    number: int | None = None
    ordinal = at_start.get(j)
    if ordinal is not None and ordinal.kind == "ordinal":
        number, j = int(ordinal.value), ordinal.end
    else:
        before = at_end.get(i)
        if before is not None and before.kind == "ordinal":
            number, start = int(before.value), before.start
        elif cues.longest(tokens, j, {"last_word"}) is not None and kind in ("quarter", "half_year"):
            number = 4 if kind == "quarter" else 2
            j = cues.longest(tokens, j, {"last_word"}).end
    fiscal = False
    if cues.longest(tokens, j, {"fiscal"}) is not None:
        fiscal, j = True, cues.longest(tokens, j, {"fiscal"}).end
    fiscal = fiscal or _fiscal_within(tokens, j, cues)
    if start > 0 and cues.longest(tokens, start - 1, {"fiscal"}) is not None and reader.lang == "en":
        fiscal, start = True, start - 1
    year, end = _year_after(tokens, j, at_start, links, cues, today)
    if year is None:
        # English puts the year first: the 1986 fourth quarter, fiscal 1987 year
        prev = at_end.get(start)
        if prev is not None and year_of(prev) is not None:
            year, start = year_of(prev), prev.start
        end = j
    if kind == "half_year" and number is None and len(m.phrase.words) == 1 and year is None:
        return None  # "half" alone is a fraction, not a period
    if kind in ("quarter", "half_year") and number is not None and not 1 <= number <= (4 if kind == "quarter" else 2):
        return None
    if kind == "year" and year is None:
        relative = cues.longest(tokens, m.end, {"relative"})
        if relative is not None and today is not None:
            year, end = today.year + int(relative.payload), relative.end
    if kind in ("quarter", "half_year", "nine_months") and year is None and today is not None and number is not None:
        year = _latest_year(kind, number, today)
    time = _format(kind, number, year, fiscal)
    return PeriodFound(kind if kind != "month" else "month", time, start, end)


def _year_after(tokens, j, at_start, links, cues, today, allow_day: bool = False) -> tuple[int | None, int]:
    """A year right after a period word: 'من عام 2015', 'of 1987', 'الماضي',
    'من السنة المالية 2015م'. Returns (year, end)."""
    k = j
    for _ in range(5):
        amount = at_start.get(k)
        if amount is not None:
            year = year_of(amount)
            if year is not None:
                return year, amount.end
            if allow_day and amount.kind == "number" and amount.value is not None and amount.value <= 31:
                k = amount.end
                continue
            return None, j
        relative = cues.longest(tokens, k, {"relative"})
        if relative is not None and today is not None:
            return today.year + int(relative.payload), relative.end
        if k < len(tokens) and tokens[k].text in links:
            k += 1
            continue
        word = cues.longest(tokens, k, {"year_word", "fiscal"})
        if word is not None:
            k = word.end
            continue
        break
    return None, j


_MONTHS_KIND = {3: "quarter", 6: "half_year", 9: "nine_months", 12: "year"}


def _month_count(tokens, i, at_start, at_end, cues, links, today) -> PeriodFound | None:
    """'five months', 'the five-month period', 'الأشهر الخمسة': a counted span of months."""
    amount = at_start.get(i)
    if amount is None or amount.kind != "number" or amount.value is None:
        return None
    m = cues.longest(tokens, amount.end, {"month_count"})
    if m is None:
        return None
    months = int(amount.value) if amount.value == amount.value.to_integral_value() else 0
    if not 1 <= months <= 24:
        return None
    kind = _MONTHS_KIND.get(months, "none")
    year, end = _year_after(tokens, m.end, at_start, links, cues, today)
    return PeriodFound(kind, str(year) if year and kind == "year" else None, i, max(end, m.end))


def _period_ended(tokens, m, i, at_start, links, cues, today, ended) -> PeriodFound | None:
    """'للفترة المنتهية في 30 يونيو 2019': the year to that date, a half when it ends in June.
    With no date ('للفترة المنتهية ذاتها') it is the period ended named before."""
    k = m.end
    if k < len(tokens) and tokens[k].text in links:
        k += 1
    day = at_start.get(k)
    if day is not None and day.kind == "number" and day.value is not None and day.value <= 31:
        k = day.end
    month = cues.longest(tokens, k, {"month"})
    fiscal = _fiscal_within(tokens, m.end, cues)
    if month is not None:
        year, end = _year_after(tokens, month.end, at_start, links, cues, today)
        months = int(month.payload)
        kind = _MONTHS_KIND.get(months, "none")
        number = {"quarter": 1, "half_year": 1}.get(kind)
        return PeriodFound(kind, _format(kind, number, year, fiscal) if kind != "none" else None, i, max(end, month.end))
    if ended is None:
        return None
    year, end = _year_after(tokens, m.end, at_start, links, cues, today)
    number = 1 if ended.kind in ("quarter", "half_year") else None
    time = _format(ended.kind, number, year, fiscal) if year is not None and ended.kind != "none" else ended.time
    return PeriodFound(ended.kind, time, i, max(end, m.end))


def _fiscal_within(tokens, j, cues) -> bool:
    """'من السنة المالية 2015' after a quarter or half: the fiscal mark a few words on."""
    for k in range(j, min(j + 4, len(tokens))):
        if cues.longest(tokens, k, {"fiscal"}) is not None:
            return True
        if tokens[k].kind == "num":
            return False
    return False


def _latest_year(kind: str, number: int, today: date) -> int:
    """A quarter or half named without a year: the latest one that has begun by the article date."""
    months = _HALF[kind]
    first_month = (number - 1) * months + 1 if kind != "nine_months" else 1
    return today.year if first_month <= today.month else today.year - 1


def _format(kind: str, number: int | None, year: int | None, fiscal: bool) -> str | None:
    if year is None:
        return None
    prefix = "FY" if fiscal else ""
    if kind == "quarter" and number is not None:
        return f"{prefix}{year}-Q{number}"
    if kind == "half_year" and number is not None:
        return f"{prefix}{year}-H{number}"
    if kind == "nine_months":
        return f"{prefix}{year}-9M"
    if kind == "year":
        return f"{prefix}{year}"
    return f"{prefix}{year}"

