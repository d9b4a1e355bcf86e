"""Amounts: a number with its currency or percent sign, its hedge and its range.

`AmountReader(text, lang).mentions()` scans a text left to right and returns
non-overlapping mentions — numbers, ordinals, percentages and sums of money —
each with exact values and offsets into the original text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from decimal import Decimal

from ..models import Mention
from ..normalize import fold
from .numbers import HUNDRED, ONE, TWO, NumberParse, NumberReader, _vulgar
from .phrases import Currency, currency_adjective_first, table
from .tokens import Token, tokenize

_SENTENCE_END = ".,;:!?)\u060C\u061B\u061F"  # includes ، ؛ ؟
_YEARS = (Decimal(1900), Decimal(2100))
_REACH = 6  # words a hedge or a range opener may stand before the number: ما يقرب من، in the region of
_ANCHORS = frozenset({"atom", "hundreds", "hundred", "scale", "fraction", "fraction_after", "ordinal", "currency", "currency_dual", "points_dual", "part_of", "decimal_point", "agreeing_one"})


def anchor_words(lang: str) -> frozenset[str]:
    """First words of every phrase that can only belong to a number (digits aside)."""
    return _anchor_words(table(lang))


_ANCHOR_CACHE: dict[int, frozenset[str]] = {}


def _anchor_words(t) -> frozenset[str]:
    key = id(t)
    if key not in _ANCHOR_CACHE:
        _ANCHOR_CACHE[key] = frozenset(p.words[0] for bucket in t._by_first.values() for p in bucket if p.category in _ANCHORS)
    return _ANCHOR_CACHE[key]


_ANCHOR_MEMO: dict[int, dict[str, bool]] = {}
_MEMO_LIMIT = 200_000  # distinct token texts remembered per language; a flood of odd tokens starts it afresh


def _anchor_memo(t) -> dict[str, bool]:
    """Word or symbol -> whether it anchors an amount, shared by every reader of one table:
    news repeats its words, and this spares looking each one up again (digit runs always
    anchor and are not remembered)."""
    memo = _ANCHOR_MEMO.get(id(t))
    if memo is None or len(memo) > _MEMO_LIMIT:
        memo = _ANCHOR_MEMO[id(t)] = {}
    return memo


_LINK = re.compile(r"(?:https?://|www\.)\S+")
_RUN = re.compile(r"\S+")
_DOT_WORD = re.compile(r"\.(?=\w)")
_WORD = re.compile(r"\w+")


def link_spans(text: str) -> list[tuple[int, int]]:
    """Web and e-mail addresses, sorted and disjoint: the digits inside them are not amounts.

    An e-mail address is found once per run of non-spaces (from the run's start to the
    word after its last dot, when an @ stands before that dot), not by a regex like
    `\\S+@\\S+\\.\\w+`, which rescans the run from every position: quadratic on a long
    run such as "1/1/1/...".

    >>> link_spans("see www.x.com/5 or a.b@c.org, then 5")
    [(4, 15), (19, 28)]
    """
    spans = [m.span() for m in _LINK.finditer(text)] if "/" in text or "www." in text else []
    if "@" in text:
        for run in _RUN.finditer(text):
            word = run.group()
            at = word.find("@", 1)  # at least one character before the @
            if at < 0:
                continue
            dot = None
            for dot in _DOT_WORD.finditer(word, at + 2):
                pass
            if dot is not None:
                spans.append((run.start(), run.start() + _WORD.match(word, dot.end()).end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# No amount in the news comes near 10^30 (world GDP is about 10^14 dollars, the largest
# banknote ever printed 10^20 pengő), nor, other than zero, below 10^-30; such a value is
# a crafted string (9^64, 1e-999): past 4300 digits Python cannot write it as a JSON
# integer, and a tiny one would reach JSON as 0.0.
MAX_MAGNITUDE = Decimal(10) ** 30
MIN_MAGNITUDE = 1 / MAX_MAGNITUDE


def _beyond_bound(amount: "Amount") -> bool:
    """True when a value is too large, or too small and not zero, to be an amount."""
    values = (amount.value, amount.minimum, amount.maximum)
    return any(v is not None and v and not MIN_MAGNITUDE < abs(v) < MAX_MAGNITUDE for v in values)


@dataclass(slots=True)
class Amount:
    """An amount being assembled; token indices until `Mention` is built."""

    kind: str
    value: Decimal | None
    start: int
    end: int
    skip: int = 0
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    unit: str | None = None
    unit_span: tuple[int, int] | None = None  # tokens of the currency or percent sign
    qualifier: str = "exact"
    cue_span: tuple[int, int] | None = None  # tokens of the country adjective
    scale: Decimal | None = None
    head: Decimal | None = None
    rule: tuple[str, ...] = ()
    subunit: bool = False


class AmountReader:
    """Finds the amounts of one text in one language."""

    def __init__(self, text: str, lang: str):
        self.text = text
        self.folded = fold(text)
        self.tokens: list[Token] = tokenize(self.folded.text)
        self.table = table(lang)
        self.lang = lang
        self.nums = NumberReader(self.tokens, self.table, self.folded)
        self.adjective_first = currency_adjective_first(lang)
        self.amounts: list[Amount] = []  # what `mentions` found, in token indices
        self._urls = link_spans(self.folded.text)
        self._url_starts = [a for a, _ in self._urls]
        self._anchor_words = anchor_words(lang)
        self._anchor_memo = _anchor_memo(self.table)

    # --- scanning ----------------------------------------------------------

    def mentions(self) -> list[Mention]:
        """Every amount in the text, left to right, never overlapping."""
        out: list[Mention] = []
        self.amounts = []
        starts = self._candidate_starts()
        i = 0
        while i < len(self.tokens):
            if i not in starts or not self._could_start(i):
                i += 1
                continue
            found = self.best_at(i)
            if found is None:
                i += 1
                continue
            if _beyond_bound(found):
                i = found.end  # read, but not an amount: "9^64", "1e999 dollars"
                continue
            out.append(self.to_mention(found))
            self.amounts.append(found)
            i = found.end
        return out

    def _candidate_starts(self) -> set[int]:
        """Token positions an amount could start at: every amount holds a digit or a number
        word, and hedges or openers stand at most a few words before it. One cheap pass
        here spares the full parse at every other word."""
        starts: set[int] = set()
        anchors = self._anchor_memo
        for i, t in enumerate(self.tokens):
            if t.kind == "num":
                anchor = True
            else:
                anchor = anchors.get(t.text)
                if anchor is None:
                    anchor = anchors[t.text] = self._is_anchor(t)
            if anchor:
                starts.update(range(max(0, i - _REACH), i + 1))
        return starts

    def _is_anchor(self, t: Token) -> bool:
        """A word or symbol only a number can hold: a number word (bare or behind a clitic),
        a symbol that opens an amount ($) or a vulgar fraction (½)."""
        if t.kind == "sym":
            return t.text in self.table.first_words or _vulgar(t.text) is not None
        return t.text in self._anchor_words or any(rest in self._anchor_words for _, rest in self.table.splits(t.text))

    def _could_start(self, i: int) -> bool:
        t = self.tokens[i]
        if self._in_url(t.start):
            return False
        if t.kind == "num":
            return True
        if t.kind == "sym":
            return t.text in "+-<>.,~" or t.text in self.table.first_words or _vulgar(t.text) is not None
        return t.text in self.table.first_words or bool(self.table.splits(t.text))

    def _in_url(self, pos: int) -> bool:
        k = bisect_right(self._url_starts, pos) - 1
        return k >= 0 and pos < self._urls[k][1]

    def best_at(self, i: int) -> Amount | None:
        """The longest amount or ordinal starting at token i."""
        amount = self.amount_at(i)
        ordinal = self.nums.ordinal_at(i) if amount is None or amount.kind == "number" else None
        if ordinal is not None and (amount is None or ordinal.end > amount.end or (ordinal.end == amount.end and amount.kind == "number")):
            return Amount("ordinal", ordinal.value, i, ordinal.end, ordinal.skip, rule=("<ordinal>",))
        if amount is None:
            return None
        return self._merge_bounds(amount)

    # --- one amount ------------------------------------------------------------

    def amount_at(self, i: int) -> Amount | None:
        """Qualifier, then a range or a single amount, then a trailing qualifier."""
        qualifier, j, span_start, skip = "exact", i, i, 0
        hedge = self.table.longest(self.tokens, i, {"qual_before"})
        if hedge is not None and self.tokens[i].kind == "sym" and self.tokens[i].glued and i > 0 and self.tokens[i - 1].kind != "word" or (hedge is not None and self.tokens[i].kind == "sym" and i > 0 and self.tokens[i].glued and self.tokens[i - 1].text in "=<>"):
            hedge = None  # "=>30", "<>30", "a0> 29": not a comparison sign
        if hedge is not None:
            qualifier, in_span = hedge.payload
            j = hedge.end
            span_start, skip = (i, hedge.skip) if in_span else (j, 0)
        if hedge is not None and self._clitic_before_number(j):
            j, span_start = j + 1, j + 1  # تجاوزت الـ12 مليار: the article glued to the number
        amount = self._range_with_opener(j) or self._single(j)
        if amount is None:
            return None
        amount = self._bare_range(amount) or amount
        if span_start != j:
            amount.start, amount.skip = span_start, skip
        if hedge is not None:
            amount.rule = (f"<{qualifier}>",) + amount.rule
            if amount.qualifier != "range":
                amount.qualifier = qualifier
        tail = self.table.longest(self.tokens, amount.end, {"qual_after"}, ())
        if tail is not None and self.nums.number_at(tail.end) is not None:
            tail = None  # "5000 أو أقل من 6000": the bound belongs to the next number
        if tail is not None and (amount.qualifier in ("exact", "approx", tail.payload[0])) and amount.kind != "ordinal":
            amount.qualifier = tail.payload[0]
            amount.rule += (f"<{tail.payload[0]}>",)
            if tail.payload[1]:
                amount.end = tail.end
        return self._bounds(amount)

    def _single(self, i: int) -> Amount | None:
        """[percent word | currency] number [percent | currency] [subunits]."""
        weak = self.table.longest(self.tokens, i, {"percent_weak"})
        if weak is not None:
            inner = self._single(weak.end)
            if inner is not None and self.table.longest(self.tokens, inner.end, {"range_middle"}, ()) is not None and self.nums.number_at(inner.end + 1) is not None:
                return inner  # تقسيم الأسهم بنسبة 10 إلى 1: a ratio, not a percentage
            if inner is not None and inner.kind == "number" and inner.qualifier == "exact":
                return replace(inner, kind="percent", unit="percent", start=i, skip=weak.skip, unit_span=(i, weak.end), rule=("<percent>",) + inner.rule)
            return inner
        before = self.table.longest(self.tokens, i, {"percent_before"}, ())
        if before is not None and self.tokens[i].kind != "num" and not self._number_before(i):
            num = self.nums.number_at(before.end)
            if num is not None and self._not_code(num) and self.table.longest(self.tokens, num.end, {"percent_after"}, ()) is None:
                return Amount("percent", num.value, i, num.end, before.skip, unit="percent", unit_span=(i, before.end), scale=num.scale, head=num.head, rule=("<percent>", num.parts))
        prefix = self._currency_prefix(i)
        start = prefix[2] if prefix else i
        num = self.nums.number_at(start)
        if num is None and prefix is None:
            bare = self._bare_currency(i)
            if bare is not None:
                return bare
            indefinite = self.table.longest(self.tokens, i, {"indefinite"}, ())
            after = self._currency_after(indefinite.end) if indefinite is not None else None
            if after is not None and self.nums.number_at(after[2]) is None:
                num = NumberParse(ONE, i, indefinite.end, words=True)  # a dollar (not "a $4 billion")
        if num is None:
            return None
        if prefix is None and not self._not_code(num):
            return None
        if prefix is not None:
            if num.words and not num.literal and num.scale is None and num.value < ONE:
                return None  # "$half a percent": "half" was read for the percent, which a currency cannot take
            currency, (cs, ce), _, cue = prefix
            amount = self._money(num, currency, (cs, ce), cue, start=i, end=num.end)
            amount.rule = ("<currency>",) + (num.parts,)
            return self._subunits(amount)
        pct = self.table.longest(self.tokens, num.end, {"percent_after", "points"}, ())
        link = self.table.longest(self.tokens, num.end, {"fraction_link"}, ()) if pct is None and num.words and num.value < ONE else None
        if link is not None:
            pct = self.table.longest(self.tokens, link.end, {"percent_after", "points"}, ())  # half a percent
        if pct is not None:
            unit = "percent" if pct.category == "percent_after" else "percentage_points"
            return Amount("percent", num.value, i, pct.end, num.skip, unit=unit, unit_span=(num.end, pct.end), scale=num.scale, head=num.head, rule=(num.parts, "<percent>"))
        after = self._currency_after(num.end)
        if after is not None:
            currency, (cs, ce), end, cue = after
            amount = self._money(num, currency, (cs, ce), cue, start=i, end=end)
            amount.rule = (num.parts, "<currency>")
            return self._trailing_fraction(self._subunits(amount))
        if self._is_model_number(num) or self._is_pronoun(num):
            return None
        return Amount("number", num.value, i, num.end, num.skip, scale=num.scale, head=num.head, rule=(num.parts,))

    def _bare_currency(self, i: int) -> Amount | None:
        """A currency word standing for its own count: دولاران (2), دولار واحد (1),
        بدولار و30 سنتا (1.30), نقطتان مئويتان (2 points)."""
        dual = self.table.longest(self.tokens, i, {"currency_dual", "points_dual"})
        if dual is not None:
            if dual.category == "points_dual":
                return Amount("percent", TWO, i, dual.end, dual.skip, unit="percentage_points", unit_span=(i, dual.end), rule=("<dual percentage points>",))
            currency: Currency = dual.payload
            amount = self._money(NumberParse(TWO, i, dual.end, dual.skip, words=True), currency, (i, dual.end), None, start=i, end=dual.end)
            amount.rule = ("<dual currency>",)
            return amount
        found = self._currency_at(i, prefix=False, clitics=self.nums._first_clitics)
        if found is None:
            return None
        currency, skip, end = found
        one = self.table.longest(self.tokens, end, {"agreeing_one"}, ())
        if one is not None:
            end = one.end  # دولار واحد
        elif self.table.longest(self.tokens, end, {"connector"}, ()) is None:
            return None  # a bare الدولار is the currency, not an amount
        amount = self._money(NumberParse(ONE, i, end, skip, words=True), currency, (i, found[2]), None, start=i, end=end)
        amount.rule = ("<currency alone>",)
        with_subunits = self._subunits(amount, named=one is None)
        if one is None and with_subunits.end == end:
            return None  # بدولار alone stays out: only "one dollar" or "a dollar and N cents"
        return with_subunits

    def _money(self, num: NumberParse, currency: Currency, span, cue, start: int, end: int) -> Amount:
        value = num.value / HUNDRED if currency.subunit else num.value * currency.scale
        scale = num.scale if currency.scale == 1 else Decimal(currency.scale)
        if scale is None and not currency.subunit:
            after = self.table.longest(self.tokens, end, {"scale"}, ())
            if after is not None and after.payload.number in ("singular", "plural") and not after.payload.glued:
                value, scale, end = value * after.payload.value, Decimal(after.payload.value), after.end  # 75 USD million
        unit = currency.iso
        if cue is not None:
            unit = cue[0]
        return Amount(
            "money", value, start, end, num.skip if start == num.start else 0,
            unit=unit, unit_span=span, cue_span=cue[1] if cue else None,
            scale=scale, head=num.head, subunit=currency.subunit,
        )

    # --- currencies ------------------------------------------------------------

    def _currency_at(self, i: int, prefix: bool, clitics: tuple[str, ...] | None = None) -> tuple[Currency, int, int] | None:
        """A currency word at i (with the article allowed: الدولار)."""
        if clitics is None:
            clitics = ("\u0627\u0644",) if self.lang == "ar" else ()  # the article only
        for m in self.table.matches(self.tokens, i, {"currency"}, clitics):
            currency: Currency = m.payload
            if prefix and not currency.prefix:
                continue
            if currency.capitals_only and not self._capitals(i, m.end):
                continue
            if m.phrase.words[0] in self.table.indefinite_words and len(m.phrase.words) > 1 and not self.tokens[i + 1].glued:
                continue  # "a $4 billion" is not A$4 billion
            if len(m.phrase.words) == 1 and self.tokens[i].kind == "word" and len(self.tokens[i].text) == 1:
                written = self.nums.original_text(i)
                if not written.islower() or (self.nums.is_sym(m.end, ".") and self.nums.tok(m.end + 1) is not None and self.tokens[m.end + 1].kind == "word"):
                    continue  # 40C is Celsius, 5 p.m. an hour: a currency letter is lower case and alone
                if not self._glued_to_number(i) and not prefix and not self._at_sentence_end(m.end):
                    continue  # a lone letter (c, p) counts glued to a number (10c) or ending the text (10 c)
            return currency, m.skip, m.end
        return None

    def _capitals(self, i: int, end: int) -> bool:
        s, e = self.folded.span(self.tokens[i].start, self.tokens[end - 1].end)
        written = self.text[s:e]
        return written.isupper()

    def _glued_to_number(self, i: int) -> bool:
        return self.tokens[i].glued and i > 0 and self.tokens[i - 1].kind == "num"

    def _country(self, i: int, currency: Currency) -> tuple[str, tuple[int, int]] | None:
        """A country adjective at i that names one of this currency's countries."""
        for iso, forms in currency.countries:
            for words in forms:
                n = len(words)
                if all(self.nums.tok(i + k) is not None and self.tokens[i + k].text == words[k] for k in range(n)):
                    return iso, (i, i + n)
        return None

    def _country_before(self, end: int, currency: Currency) -> tuple[str, tuple[int, int]] | None:
        """An English adjective ending right before token `end`: Canadian dlrs, U.S. dlrs."""
        for iso, forms in currency.countries:
            for words in forms:
                n = len(words)
                s = end - n
                if s >= 0 and all(self.tokens[s + k].text == words[k] for k in range(n)):
                    return iso, (s, end)
        return None

    def _currency_after(self, i: int):
        """(currency, (start, end) of its words, end of the whole, cue) after a number."""
        if self.nums.is_sym(i, "-") and self.tokens[i].glued and self.nums.tok(i + 1) is not None and self.tokens[i + 1].glued:
            found = self._currency_after_words(i + 1)  # a 12-cent dividend, a one-yen bid
            if found is not None:
                return found
        return self._currency_after_words(i)

    def _currency_after_words(self, i: int):
        if self.adjective_first:
            for adj_len in (0, 1, 2, 3, 4):  # the adjective may stand between: 15 mln U.S. dlrs
                found = self._currency_at(i + adj_len, prefix=False)
                if found is None:
                    continue
                currency, _, end = found
                if adj_len:
                    cue = self._country_before(i + adj_len, currency)
                    if cue is None or cue[1][0] != i:
                        continue
                    return currency, (i, end), end, cue
                return currency, (i, end), end, None
            return None
        found = self._currency_at(i, prefix=False)
        if found is None:
            return None
        currency, _, end = found
        cue = self._country(end, currency)
        if cue is not None:
            return currency, (i, cue[1][1]), cue[1][1], cue
        return currency, (i, end), end, None

    def _currency_prefix(self, i: int):
        """(currency, (start, end), number start, cue) for '$15', 'US$ 3.14', 'EUR 20', 'Canadian $'."""
        found = self._currency_at(i, prefix=True)
        cue = None
        start = i
        if found is None and self.adjective_first:
            for n in (1, 2, 3):
                inner = self._currency_at(i + n, prefix=True)
                if inner is not None:
                    c = self._country_before(i + n, inner[0])
                    if c is not None and c[1][0] == i:
                        found, cue = inner, c
                        break
        if found is None:
            return None
        currency, _, end = found
        if cue is None and not self.adjective_first:
            cue = self._country(end, currency)
            if cue is not None:
                end = cue[1][1]
        nxt = self.nums.tok(end)
        if nxt is None or (nxt.kind == "sym" and nxt.text not in "-+"):
            if not (nxt is not None and nxt.text == "." and self.nums.is_digits(end + 1)):
                return None
            end += 1  # Rs. 20
        return currency, (start, end), end, cue

    def _subunits(self, amount: Amount, named: bool = False) -> Amount:
        """'20 dollars 43 cents', '$20 and 43c', 'سبعة دولار وتسعة وتسعون سنت'.

        `named`: only with the sub-unit written out (a currency word standing for one
        counts with "و30 سنتا", never with a bare "و30").
        """
        if amount.subunit or amount.scale is not None:
            return amount
        j = amount.end
        conn = self.table.longest(self.tokens, j, {"connector"}, ())
        k = conn.end if conn is not None else j
        num = self.nums.number_at(k, allow_over=False)
        if num is None or num.value >= HUNDRED or num.value < 0 or num.scale is not None:
            if conn is None and self.tokens[j - 1].kind != "num":
                num2 = None
            return amount
        sub = self.table.longest(self.tokens, num.end, {"currency"}, ())
        if sub is not None and sub.payload.subunit:
            end = sub.end
        elif not named and self._at_sentence_end(num.end) and num.value == num.value.to_integral_value():
            end = num.end
        else:
            return amount
        amount.value = (amount.value or Decimal(0)) + num.value / HUNDRED
        amount.end = end
        amount.rule += ("<subunits>",)
        return amount

    def _trailing_fraction(self, amount: Amount) -> Amount:
        """ملياري دولار ونصف المليار = 2.5 billion: a fraction of the scale after the currency."""
        if amount.scale is None or amount.value is None:
            return amount
        conn = self.table.longest(self.tokens, amount.end, {"connector"}, ())
        k = conn.end if conn is not None else amount.end
        frac = self.table.longest(self.tokens, k, {"fraction"}, self.nums._next_clitics if conn is None else ())
        if frac is None or (conn is None and not frac.skip) or frac.payload[1] != "singular":
            return amount
        again = self.table.longest(self.tokens, frac.end, {"scale"})
        if again is None or Decimal(again.payload.value) != amount.scale:
            return amount
        amount.value += amount.scale / frac.payload[0]
        amount.end = again.end
        amount.rule += ("<fraction of the scale>",)
        return amount

    def _at_sentence_end(self, i: int) -> bool:
        t = self.nums.tok(i)
        return t is None or (t.kind == "sym" and t.text in _SENTENCE_END)

    # --- ranges ----------------------------------------------------------------

    def _range_with_opener(self, i: int) -> Amount | None:
        """'بين 10 و15 مليون دولار', 'from 10 to 20 dollars', 'من عشرة لعشرين دولار'."""
        opener = self.table.longest(self.tokens, i, {"range_open"})
        if opener is None or self._changes_before(i):
            return None
        left = self._single(opener.end)
        if left is None:
            return None
        for middle in self.table.matches(self.tokens, left.end, {"range_middle"}, ()):
            if middle.payload != opener.payload:
                continue
            found = self._close_range(left, middle.end, opener_start=i, skip=opener.skip)
            if found is not None:
                return found
        # the middle glued to the right end: لعشرين، و15 (و15 is two tokens, لعشرين one)
        nxt = self.nums.tok(left.end)
        if nxt is not None and nxt.kind == "word":
            for m in self.table.matches(self.tokens, left.end, {"range_middle"}, ()):
                pass
            right = self._glued_middle(left.end, opener.payload)
            if right is not None:
                return self._unify(left, right, i, opener.skip, opener_word=True)
        return None

    def _glued_middle(self, i: int, group: int) -> Amount | None:
        t = self.tokens[i]
        for m in self.table.matches(self.tokens, i, {"range_middle"}, ()):
            del m
        for words_form in self._middle_letters(group):
            if t.text.startswith(words_form) and len(t.text) > len(words_form):
                stripped = self._single_stripped(i, len(words_form))
                if stripped is not None:
                    return stripped
        return None

    def _middle_letters(self, group: int) -> list[str]:
        out = []
        for bucket in self.table._by_first.values():
            for phrase in bucket:
                if phrase.category == "range_middle" and phrase.payload == group and len(phrase.words) == 1 and len(phrase.words[0]) == 1:
                    out.append(phrase.words[0])
        return out

    def _single_stripped(self, i: int, skip: int) -> Amount | None:
        """Parse a number word at i as if its first `skip` letters were absent."""
        t = self.tokens[i]
        rest = t.text[skip:]
        fake = Token(t.kind, rest, t.start + skip, t.end, t.glued)
        saved = self.tokens[i]
        self.tokens[i] = fake
        try:
            amount = self._single(i)
        finally:
            self.tokens[i] = saved
        if amount is not None and amount.start == i:
            amount.skip += skip
        return amount

    def _close_range(self, left: Amount, j: int, opener_start: int | None, skip: int = 0) -> Amount | None:
        right = self._single(j)
        if right is None:
            return None
        return self._unify(left, right, opener_start if opener_start is not None else left.start, skip if opener_start is not None else left.skip, opener_word=opener_start is not None)

    def _bare_range(self, left: Amount) -> Amount | None:
        """'10-20 دولار', '$10-15 million', '25 to 30 pct', '٢٠~١٠٠'."""
        if left.qualifier == "range" or left.kind == "ordinal":
            return None
        middle = None
        for m in self.table.matches(self.tokens, left.end, {"range_middle"}, ()):
            if not m.phrase.words or self._range_group_open(m.payload):
                continue
            middle = m
            break
        if middle is None:
            return None
        if middle.phrase.words == ("-",) and self._chain_of_three(left.end):
            return None
        right = self._single(middle.end)
        if right is None:
            return None
        if middle.phrase.words == ("-",) and left.kind == right.kind == "number" and self._looks_like_years(left, right):
            return None
        if self.table.longest(self.tokens, left.end, {"alternative"}, ()) is not None and (left.scale is not None or left.value == right.value):
            return None  # "5.00 or 5,00", "10 bln or 10 tln": two amounts; "51 or 52 billion" is one range
        return self._unify(left, right, left.start, left.skip, opener_word=False)

    def _range_group_open(self, group: int) -> bool:
        """True when this middle word needs an opener (بين ... و)."""
        return group in self.table.open_groups

    def _changes_before(self, i: int) -> bool:
        """A change verb just before: 'rose from 10 to 15 pct' is two figures, not a range."""
        for k in range(max(0, i - 4), i):
            if self.table.longest(self.tokens, k, {"change"}) is not None:
                return True
        return False

    def _chain_of_three(self, i: int) -> bool:
        """1-222-2222 or 2015-11-28: a code or a date, not a range."""
        return self.nums.is_digits(i + 1) and self.nums.is_sym(i + 2, "-/") and self.nums.is_digits(i + 3)

    @staticmethod
    def _looks_like_years(left: Amount, right: Amount) -> bool:
        lo, hi = _YEARS
        if left.value is None or right.value is None:
            return False
        if lo <= left.value <= hi and (lo <= right.value <= hi or (right.value < 100 and right.value == right.value.to_integral_value())):
            return True
        return False

    def _unify(self, left: Amount, right: Amount, start: int, skip: int, opener_word: bool) -> Amount | None:
        """Make one range of two ends, sharing scale and unit: '$10-15 million' = 10M-15M USD."""
        if left.value is None or right.value is None or left.qualifier != "exact" or right.qualifier != "exact":
            return None
        lo, hi = left.value, right.value
        if left.scale is None and right.scale is not None and right.head is not None and lo < right.head * (10 if opener_word else 1) + (0 if opener_word else 1) and lo <= right.head:
            lo = lo * right.scale
        kinds = {left.kind, right.kind} - {"number"}
        if len(kinds) > 1:
            return None
        kind = kinds.pop() if kinds else "number"
        unit = left.unit or right.unit
        if left.unit and right.unit and left.unit != right.unit:
            return None
        if left.kind not in ("number", kind) or right.kind not in ("number", kind):
            return None
        if left.kind == "money" and right.kind == "number" and left.unit_span and left.unit_span[0] >= left.start and left.unit_span[0] > left.start:
            return None  # "10 dollars - 20 people"
        if lo > hi:
            return None
        merged = Amount(
            kind, None, start, right.end, skip, minimum=lo, maximum=hi, unit=unit,
            unit_span=right.unit_span or left.unit_span, qualifier="range",
            cue_span=right.cue_span or left.cue_span, scale=right.scale, head=right.head,
            rule=("<range>",) + left.rule + right.rule, subunit=left.subunit or right.subunit,
        )
        return merged

    def _merge_bounds(self, amount: Amount) -> Amount:
        """'أكثر من 10 وأقل من 20' → one range from 10 to 20."""
        if amount.qualifier not in ("at_least", "at_most"):
            return amount
        conn = self.table.longest(self.tokens, amount.end, {"connector"}, ())
        if conn is None and not self._starts_with_connector(amount.end):
            return amount
        other = self.amount_at(conn.end if conn is not None else amount.end)
        if other is None or {amount.qualifier, other.qualifier} != {"at_least", "at_most"}:
            return amount
        low, high = (amount, other) if amount.qualifier == "at_least" else (other, amount)
        if low.value is None or high.value is None or low.value > high.value:
            return amount
        if amount.unit and other.unit and amount.unit != other.unit:
            return amount
        kinds = {amount.kind, other.kind} - {"number"}
        if len(kinds) > 1:
            return amount
        return Amount(
            kinds.pop() if kinds else "number", None, amount.start, other.end, amount.skip,
            minimum=low.value, maximum=high.value, unit=amount.unit or other.unit,
            unit_span=amount.unit_span or other.unit_span, qualifier="range",
            cue_span=amount.cue_span or other.cue_span, rule=("<range>",) + amount.rule + other.rule,
        )

    def _clitic_before_number(self, i: int) -> bool:
        t = self.nums.tok(i)
        n = self.nums.tok(i + 1)
        return t is not None and n is not None and t.kind == "word" and t.text in self.table.proclitics and n.kind == "num" and n.glued

    def _starts_with_connector(self, i: int) -> bool:
        """وأقل من 20: the connector glued to the next word."""
        t = self.nums.tok(i)
        if t is None or t.kind != "word":
            return False
        return any(t.text.startswith(c) and len(t.text) > len(c) for c in self.nums._next_clitics)

    @staticmethod
    def _bounds(amount: Amount) -> Amount:
        if amount.qualifier == "at_least":
            amount.minimum = amount.value
        elif amount.qualifier == "at_most":
            amount.maximum = amount.value
        return amount

    # --- what is not an amount ---------------------------------------------------

    def _number_before(self, i: int) -> bool:
        return i > 0 and self.tokens[i - 1].kind == "num"

    def _not_code(self, num: NumberParse) -> bool:
        """False for a number glued into a code or a measure: GPT-5, H1, 180ml, 4G."""
        if self.table.longest(self.tokens, num.start, {"code"}, ()) is not None:
            return False
        first = self.tokens[num.start]
        if first.kind == "num" or (first.kind == "sym" and num.start + 1 < len(self.tokens)):
            k = num.start if first.kind == "num" else num.start + 1
            lead = self.tokens[k]
            if lead.kind == "num" and lead.glued and k > 0:
                prev = self.tokens[k - 1]
                if prev.kind == "word" and prev.text.isascii():
                    return False  # H1, Q3, FY2015
                if prev.kind == "sym" and prev.text == "-" and prev.glued and k > 1 and self.tokens[k - 2].kind == "word":
                    return False  # GPT-5, COVID-19
        last = self.tokens[num.end - 1]
        nxt = self.nums.tok(num.end)
        if last.kind == "num" and nxt is not None and nxt.glued and nxt.kind == "word":
            if self._glued_word_is_known(num.end):
                return True
            if nxt.text in ("s",):  # the 1980s
                return False
            return False  # 180ml, 29km, 4g
        return True

    def _glued_word_is_known(self, i: int) -> bool:
        return bool(self.table.matches(self.tokens, i, {"scale", "currency", "percent_after", "points", "ordinal_suffix", "reversed_decimal", "year_marker"}, ()))

    def _is_pronoun(self, num: NumberParse) -> bool:
        """'the one you mentioned', 'أي واحد تفضل': "one" standing for a thing, not a number."""
        if num.value != ONE or not num.words or num.end - num.start != 1 or num.start == 0:
            return False
        return self.table.longest(self.tokens, num.start - 1, {"pronoun_before"}, ()) is not None

    def _is_model_number(self, num: NumberParse) -> bool:
        """'Sora 2', 'Windows 11', 'GPT 5': a small number right after a capitalised Latin name."""
        if num.words or num.scale is not None or num.start == 0:
            return False
        prev = self.tokens[num.start - 1]
        if prev.kind != "word" or not prev.text.isascii() or prev.text in ("a", "an"):
            return False
        s, _ = self.folded.span(prev.start, prev.end)
        if not self.text[s : s + 1].isupper():
            return False
        value = num.value
        return value == value.to_integral_value() and 0 < value < 1000 and len(self.tokens[num.start].text) <= 3

    # --- output ------------------------------------------------------------------

    def to_mention(self, amount: Amount) -> Mention:
        fs = self.tokens[amount.start].start + amount.skip
        fe = self.tokens[amount.end - 1].end
        start, end = self.folded.span(fs, fe)
        unit_raw = self._original(amount.unit_span) if amount.unit_span else None
        cue = self._original(amount.cue_span) if amount.cue_span else None
        unit = amount.unit
        if amount.kind == "percent" and unit is None:
            unit = "percent"
        value = amount.value if amount.qualifier != "range" else None
        # Built from checked parts on the hot path: construct, not validate (the schema
        # test and the property tests validate what comes out).
        return Mention.model_construct(
            kind=amount.kind, value=value, min=amount.minimum, max=amount.maximum,
            unit=unit, unit_raw=unit_raw, qualifier=amount.qualifier,
            text=self.text[start:end], start=start, end=end, cue=cue,
            rule=" ".join(amount.rule) if amount.rule else "<number>",
        )

    def _original(self, span: tuple[int, int]) -> str:
        s, e = self.folded.span(self.tokens[span[0]].start, self.tokens[span[1] - 1].end)
        return self.text[s:e]
