"""Periods: "يوميًا", "الربع الثالث 2024", "النصف الأول", "fiscal 1987", "Nine mths", "by 2027".

`find_periods` reads one text (through the `AmountReader` that already found
its amounts, so ordinals and years are known) and returns every period
expression with its kind and, where it can be resolved against the article
date, its time: `2015-Q2`, `FY2015-Q3`, `2015-H1`, `1986-9M`, `2015`, `2015-07`,
`2015-06-30` (a day), `1986-11/1987-03` (months that make no named period).

A period's time follows the conventions of corpora/gold/CONVENTIONS.md: a
quarter named against another ("الربع السابق", "the current quarter") is
counted from the one named before it; a numbered period whose stated end does
not fit its number, or that the text calls fiscal, is fiscal and named by the
calendar year its fiscal year ends in; a period already called fiscal stays
fiscal when the text names it again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from .money import Amount, AmountReader
from .phrases import cue_table

_YEAR_MIN, _YEAR_MAX = 1900, 2100
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_LINKS_AR = {"من", "عام", "العام", "لعام", "سنه", "السنه", "لسنه", "للعام", "في", "خلال"}
_LINKS_EN = {"of", "in", "for", "fiscal", ",", "the", "year", "ended", "ending"}
_HALF = {"quarter": 3, "half_year": 6, "nine_months": 9}
_PERIOD_WORDS = frozenset({"rate", "span", "by_year", "month", "relative", "same_period", "period_ended", "end_of"})
_SPAN_KINDS = ("quarter", "half_year")


@dataclass(frozen=True, slots=True)
class PeriodFound:
    kind: str | None  # a PeriodKind, or None for a time alone ("2014", "يوليو 2015")
    time: str | None
    start: int  # token indices in the reader
    end: int
    rate: bool = False  # a rate after an amount: يوميا, a day
    projected: bool = False  # a target date: بحلول 2027
    relative: int | None = None  # named against another period: الربع السابق (-1), the current quarter (0)
    closing: str | None = None  # the day it ends, when the text says so: بنهاية النصف الأول -> 2015-06-30
    dated: bool = True  # False when the year is not written and was taken from the article date
    same: bool = False  # the year of "the same period" (نفس الفترة من العام السابق): no period of its own


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
    end_of: tuple[int, int] | None = None  # "بنهاية", "the end of": (its first token, the token after it)

    def add(found: PeriodFound) -> None:
        nonlocal end_of
        if end_of is not None and found.start == end_of[1]:
            found = replace(found, start=end_of[0], closing=_last_day(found))
        end_of = None
        out.append(_fiscal_again(found, out))

    i = 0
    while i < len(tokens):
        counted = _month_count(tokens, i, at_start, at_end, cues, links, today) if i in at_start else None
        if counted is not None:
            add(counted)
            i = max(counted.end, i + 1)
            continue
        m = cues.longest(tokens, i, _PERIOD_WORDS) if cues.may_start(tokens[i]) else None  # most words start no cue
        if m is not None and m.category == "end_of":
            end_of, i = (i, m.end), m.end
            continue
        if m is not None and m.category == "period_ended":
            found = _period_ended(tokens, m, i, at_start, links, cues, today, ended)
            if found is not None:
                add(found)
                ended = found
                i = found.end
            else:
                i = m.end
            continue
        if m is not None and m.category == "same_period":
            year, end = _year_after(tokens, m.end, at_start, links, cues, today)
            if year is not None:  # "نفس الفترة من العام السابق": that year dates the same period, it is no span
                add(PeriodFound(None, str(year), i, end, same=True))
            i = max(end, m.end)
            continue
        if m is not None and m.category == "relative":
            span = cues.longest(tokens, m.end, {"span"})
            found = _span(reader, span, m.end, at_start, at_end, links, cues, today, out, int(m.payload)) if span is not None else None
            if found is not None:  # "last quarter", "the current year": a span counted from another
                add(replace(found, start=i))
                i = max(found.end, i + 1)
            else:
                i = m.end  # "a year earlier": not a rate or a span of its own
            continue
        if m is None:
            amount = at_start.get(i)
            split = _split_year(tokens, amount) if amount is not None else None
            if split is not None:  # "in 1987/88": a fiscal year, named by the year it ends in
                add(PeriodFound(None, f"FY{split}", i, amount.end))  # type: ignore[union-attr]
                i = amount.end  # type: ignore[union-attr]
                continue
            year = year_of(amount) if amount is not None else None
            if year is not None:
                add(PeriodFound(None, str(year), i, amount.end))  # type: ignore[union-attr]
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
            if year is not None and not any(k in at_start for k in range(m.end, end)):
                year = None  # "by current employees": a target is a year written in digits
            if year is not None:  # a target only when it lies ahead: "in 1985" in a 1987 story is past
                add(PeriodFound(None, str(year), i, end, projected=today is None or year >= today.year))
                i = end
                continue
            i = m.end
            continue
        if m.category == "month":
            found = _month(tokens, m, i, at_start, at_end, links, cues, today)
            add(found)
            i = max(found.end, i + 1)
            continue
        found = _span(reader, m, i, at_start, at_end, links, cues, today, out)
        if found is not None:
            add(found)
            i = max(found.end, i + 1)
        else:
            i = m.end
    return out


def _split_year(tokens, amount: Amount) -> int | None:
    """The year a split year ends in: 1986/87 -> 1987, 2015/2016 -> 2016 (the grammar reads it as
    a fraction). Only two years in a row are one; 1987/88 is not 22.6."""
    if amount.kind != "number" or amount.end - amount.start != 3 or tokens[amount.start + 1].text != "/":
        return None
    first, second = tokens[amount.start], tokens[amount.end - 1]
    if first.kind != "num" or second.kind != "num" or first.value is None or second.value is None:
        return None
    year = int(first.value) if first.value == first.value.to_integral_value() and len(first.text) == 4 else None
    if year is None or not _YEAR_MIN <= year < _YEAR_MAX or len(second.text) not in (2, 4):
        return None
    end = year + 1
    return end if int(second.value) in (end, end % 100) else None


def _month(tokens, m, i, at_start, at_end, links, cues, today) -> PeriodFound:
    """'February sales' (a month), '30 يونيو 2015', 'June 30, 2015' (a day), 'July-September'
    (a quarter, or the months between)."""
    day = _day(tokens, i - 1) if i > 0 else None
    day = day if day is not None else _day(tokens, m.end)
    month = int(m.payload)
    after = m.end + (1 if _day(tokens, m.end) is not None else 0)
    word = cues.longest(tokens, after, {"relative"})
    if word is not None and today is not None:  # "23 فبراير الماضي": the latest February, not last year's
        return _relative_month(month, int(word.payload), today, day, i, word.end)
    year, end = _year_after(tokens, m.end, at_start, links, cues, today, allow_day=True)
    ranged = _month_range(tokens, m.end, at_start, links, cues, today)
    if ranged is not None and day is None:
        last, year_after, end = ranged
        year = year_after if year_after is not None else year
        year = year if year is not None else _year_of_month(last, today)
        return _months_span(month, last, year, i, end, tokens, cues)
    if year is None and today is not None:
        year, end = _year_of_month(month, today), m.end
    if day is not None and year is not None and day <= _MONTH_DAYS[month - 1]:
        return PeriodFound(None, f"{year}-{month:02d}-{day:02d}", i, end)  # "March 3" is a date
    return PeriodFound("month", f"{year}-{month:02d}" if year else None, i, end)


def _relative_month(month: int, relative: int, today: date, day: int | None, start: int, end: int) -> PeriodFound:
    """'فبراير الماضي' (the latest February before the article), 'مايو المقبل' (the next May)."""
    year = today.year
    if relative < 0 and month >= today.month:
        year -= 1
    elif relative > 0 and month <= today.month:
        year += 1
    if day is not None and day <= _MONTH_DAYS[month - 1]:
        return PeriodFound(None, f"{year}-{month:02d}-{day:02d}", start, end)
    return PeriodFound("month", f"{year}-{month:02d}", start, end)


def _day(tokens, k) -> int | None:
    """A day of the month written in digits next to a month name."""
    if not 0 <= k < len(tokens) or tokens[k].kind != "num" or tokens[k].value is None:
        return None
    v = tokens[k].value
    return int(v) if v == v.to_integral_value() and 1 <= v <= 31 else None


def _year_of_month(month: int, today: date | None) -> int | None:
    """A month named without a year: the latest one that has begun by the article date."""
    if today is None:
        return None
    return today.year if month <= today.month else today.year - 1


def _month_range(tokens, k, at_start, links, cues, today):
    """'July-September 1986', 'من يوليو إلى سبتمبر': (last month, year, end) after the first month."""
    link = cues.longest(tokens, k, {"month_range"})
    if link is None:
        return None
    last = cues.longest(tokens, link.end, {"month"})
    if last is None:
        return None
    year, end = _year_after(tokens, last.end, at_start, links, cues, today)
    return int(last.payload), year, max(end, last.end)


def _months_span(first: int, last: int, year: int | None, start: int, end: int, tokens, cues) -> PeriodFound:
    """The months from `first` to `last` (ending in `year`): a calendar quarter or half when
    they make one, else an interval; a span word right after ('quarter') is part of it."""
    word = cues.longest(tokens, end, {"span"})
    end = word.end if word is not None else end
    months = (last - first) % 12 + 1
    if year is None:
        return PeriodFound(_MONTHS_KIND.get(months, "none"), None, start, end)
    return PeriodFound(_MONTHS_KIND.get(months, "none"), _months_time(months, year, last, fiscal=False), start, end)


def _months_time(months: int, year: int, last: int, fiscal: bool) -> str:
    """The `months` months ending with month `last` of `year`, named as the conventions name them:
    a calendar quarter, half or year where they make one, else the interval of months."""
    prefix = "FY" if fiscal else ""
    if months == 3 and last % 3 == 0 and not fiscal:
        return f"{year}-Q{last // 3}"
    if months == 6 and last % 6 == 0 and not fiscal:
        return f"{year}-H{last // 6}"
    if months == 12 and (last == 12 or fiscal):
        return f"{prefix}{year}"
    first = year * 12 + last - 1 - (months - 1)
    return f"{first // 12}-{first % 12 + 1:02d}/{year}-{last:02d}"


def _span(reader, m, i, at_start, at_end, links, cues, today, before=(), relative=None) -> PeriodFound | None:
    """A reporting period: quarter/half/nine months/year with its ordinal, year and fiscal mark;
    `before` are the periods found earlier in the text, which a relative one counts from."""
    tokens = reader.tokens
    kind = m.payload
    start, j = i, m.end
    fiscal = False
    if cues.longest(tokens, j, {"fiscal"}) is not None and at_start.get(cues.longest(tokens, j, {"fiscal"}).end) is not None:
        fiscal, j = True, cues.longest(tokens, j, {"fiscal"}).end  # الربع المالي الثاني
    number: int | None = None
    ordinal = at_start.get(j)
    if ordinal is not None and ordinal.kind == "ordinal":
        number, j = int(ordinal.value), ordinal.end
    else:
        before_amount = at_end.get(i)
        if before_amount is not None and before_amount.kind == "ordinal":
            number, start = int(before_amount.value), before_amount.start
        elif cues.longest(tokens, j, {"last_word"}) is not None and kind in _SPAN_KINDS:
            number = 4 if kind == "quarter" else 2
            j = cues.longest(tokens, j, {"last_word"}).end
    if cues.longest(tokens, j, {"fiscal"}) is not None:
        fiscal, j = True, cues.longest(tokens, j, {"fiscal"}).end
    fiscal = fiscal or _fiscal_within(tokens, j, cues)
    if start > 0 and cues.longest(tokens, start - 1, {"fiscal"}) is not None and reader.lang == "en":
        fiscal, start = True, start - 1
    if kind in _SPAN_KINDS and number is None and relative is None and cues.longest(tokens, j, {"relative"}) is not None:
        word = cues.longest(tokens, j, {"relative"})  # الربع السابق، الربع الحالي
        relative, j = int(word.payload), word.end
    year, end = _year_after(tokens, j, at_start, links, cues, today)
    written = year is not None
    if year is None:
        # English puts the year first: the 1986 fourth quarter, fiscal 1987 year
        prev = at_end.get(start)
        if prev is not None and year_of(prev) is not None:
            year, start, written = year_of(prev), prev.start, True
        end = j
    if kind == "half_year" and number is None and len(m.phrase.words) == 1 and year is None and relative is None:
        if _ending(tokens, end, at_start, links, cues, today) is None:
            return None  # "half" alone is a fraction, not a period
    if kind in _SPAN_KINDS and number is not None and not 1 <= number <= (4 if kind == "quarter" else 2):
        return None
    ending = _ending(tokens, end, at_start, links, cues, today)
    if ending is not None:
        end = ending[2]
        time = _time_ended(kind, number, year if written else None, fiscal, ending[0], ending[1], before)
        if time is not None:
            return PeriodFound(kind, time, start, end)
    if relative is not None and kind in _SPAN_KINDS and number is None:
        return PeriodFound(kind, _counted_from(kind, relative, before, today, fiscal), start, end, relative=relative)
    if kind == "year" and year is None:
        word = cues.longest(tokens, m.end, {"relative"})
        if word is not None and today is not None:
            year, end = today.year + int(word.payload), word.end
        elif relative is not None and today is not None:
            year = today.year + relative
    dated = True
    if kind == "half_year" and number is None and len(m.phrase.words) > 1 and today is not None and year is None:
        number = 1 if today.month > 6 else 2  # "الأشهر الستة", "the six months": the half that ended last
    if kind in (*_SPAN_KINDS, "nine_months") and year is None and today is not None and number is not None:
        year, dated = _latest_year(kind, number, today), False
    if kind in _SPAN_KINDS and number is None and fiscal and year is None:
        anchor = _anchor(kind, before, fiscal_only=True)  # "الربع المالي": the fiscal quarter named before
        if anchor is not None:
            return PeriodFound(kind, anchor.time, start, end)
    time = _format(kind, number, year, fiscal)
    return PeriodFound(kind if kind != "month" else "month", time, start, end, dated=dated)


def _ending(tokens, j, at_start, links, cues, today) -> tuple[int, int, int] | None:
    """'ended March 28, 1987', ', which ended on Sept. 30', 'المنتهي في 30 يونيو': the span's
    last month and its year (the latest one by the article date when none is written), and
    the token after the date."""
    k = j + 1 if j < len(tokens) and tokens[j].text in (",", "\u060c") else j  # , or ، (Arabic comma)
    word = cues.longest(tokens, k, {"ending"})
    if word is None:
        return None
    k = word.end
    if k < len(tokens) and tokens[k].text in links:
        k += 1
    if _day(tokens, k) is not None and cues.longest(tokens, k + 1, {"month"}) is not None:
        k += 1
    month = cues.longest(tokens, k, {"month"})
    if month is None:
        return None
    after = month.end + (1 if _day(tokens, month.end) is not None else 0)  # "March 31 1987"
    year, end = _year_after(tokens, after, at_start, links, cues, today, allow_day=True)
    end = max(end, after)
    if year is None:
        year = _year_of_month(int(month.payload), today)
    if year is None:
        return None
    return year, int(month.payload), end


def _time_ended(kind, number, year, fiscal, end_year, end_month, before) -> str | None:
    """The time of a span whose end the text gives: a year ending in another month than
    December is fiscal (R1); a numbered quarter or half whose end does not fit its number is
    fiscal (R4), named by the calendar year its fiscal year ends in; an unnumbered one is
    the calendar quarter or half it closes, or the one the text named before."""
    if kind == "year":
        if year is not None and fiscal:
            return f"FY{year}"
        return str(end_year) if end_month == 12 and not fiscal else f"FY{end_year}"
    if kind not in _SPAN_KINDS:
        return None
    size = 3 if kind == "quarter" else 6
    per_year = 12 // size
    if number is not None:
        if fiscal and year is not None:
            return _format(kind, number, year, True)
        if end_month == number * size and not fiscal:
            return _format(kind, number, end_year, False)
        fiscal_end = end_year * 12 + end_month - 1 + (per_year - number) * size  # month index of the fiscal year's end
        return _format(kind, number, fiscal_end // 12, True)
    if fiscal:
        anchor = _anchor(kind, before, fiscal_only=True)
        if anchor is not None:
            return anchor.time
    if end_month % size == 0:
        return _format(kind, end_month // size, end_year, fiscal)
    return _months_time(size, end_year, end_month, fiscal=False)


def _anchor(kind: str, before, fiscal_only: bool = False) -> PeriodFound | None:
    """The last period of this kind named before, with a time that says its number."""
    for p in reversed(before):
        if p.kind == kind and p.time and _parts(p.time) is not None and (not fiscal_only or p.time.startswith("FY")):
            return p
    return None


def _parts(time: str) -> tuple[bool, int, int] | None:
    """'FY2015-Q2' -> (True, 2015, 2); None for a time that is not a numbered quarter or half."""
    fiscal = time.startswith("FY")
    body = time.removeprefix("FY")
    if len(body) != 7 or body[4] != "-" or body[5] not in "QH" or not body[:4].isdigit() or not body[6].isdigit():
        return None
    return fiscal, int(body[:4]), int(body[6])


def _counted_from(kind: str, relative: int, before, today: date | None, fiscal: bool) -> str | None:
    """'الربع السابق', 'the current quarter': counted from the last one the text named (R2),
    else from the one the article date falls in."""
    per_year = 4 if kind == "quarter" else 2
    anchor = _anchor(kind, before)
    if anchor is not None:
        fiscal, year, number = _parts(anchor.time)  # type: ignore[misc]
    elif today is not None:
        year, number = today.year, (today.month - 1) // (12 // per_year) + 1
    else:
        return None
    index = year * per_year + number - 1 + relative
    return _format(kind, index % per_year + 1, index // per_year, fiscal)


def _fiscal_again(found: PeriodFound, before: list[PeriodFound]) -> PeriodFound:
    """A quarter or half the text has already called fiscal is fiscal when named again (R3)."""
    if found.kind not in _SPAN_KINDS or not found.time or found.time.startswith("FY"):
        return found
    if any(p.time == "FY" + found.time for p in before):
        return replace(found, time="FY" + found.time)
    return found


def _last_day(found: PeriodFound) -> str | None:
    """The last day of a span with a time: 2015-H1 -> 2015-06-30, 2014 -> 2014-12-31."""
    time = found.time
    if not time or time.startswith("FY") or "/" in time:
        return None
    if len(time) == 4 and time.isdigit():
        return f"{time}-12-31"
    parts = _parts(time)
    if parts is not None:
        _, year, number = parts
        month = number * (3 if "-Q" in time else 6)
    elif len(time) == 7 and time[4] == "-":
        year, month = int(time[:4]), int(time[5:])
    else:
        return None
    last = _MONTH_DAYS[month - 1] if month != 2 else (29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28)
    return f"{year}-{month:02d}-{last:02d}"

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
    ending = _ending(tokens, max(end, m.end), at_start, links, cues, today)
    if ending is not None:  # "seven months ending July 31", "the three months ended April 30"
        return PeriodFound(kind, _months_time(months, ending[0], ending[1], fiscal=False), i, ending[2])
    return PeriodFound(kind, str(year) if year and kind == "year" else None, i, max(end, m.end))


def _period_ended(tokens, m, i, at_start, links, cues, today, ended) -> PeriodFound | None:
    """'للفترة المنتهية في 30 يونيو 2021': the year to that date, a half when it ends in June.
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
        after = month.end + (1 if _day(tokens, month.end) is not None else 0)  # "March 31, 1987"
        year, end = _year_after(tokens, after, at_start, links, cues, today)
        end = max(end, after)
        year = year if year is not None else _year_of_month(int(month.payload), today)
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
    if kind == "nine_months":  # the months as an interval, as the conventions write them
        return f"FY{year}-9M" if fiscal else f"{year}-01/{year}-09"
    if kind == "year":
        return f"{prefix}{year}"
    return f"{prefix}{year}"

