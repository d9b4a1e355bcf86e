"""Numbers: digit numerals, spelled-out numbers, scale words, fractions, ordinals.

`NumberReader.number_at(i)` reads the longest number that starts at token i:
"١٢٫٥ مليار", "twelve billion", "3.2bn", "مليار و200 مليون", "مليار ونصف المليار",
"اثنا عشر مليارا وخمسمائة مليون", "five and a half million". Values are exact
`Decimal`s; a scale multiplies (`Decimal("12.5") * 10**9`), never a float.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, localcontext

from .phrases import Match, PhraseTable
from .tokens import Token

ONE = Decimal(1)
TWO = Decimal(2)
TEN = Decimal(10)
HUNDRED = Decimal(100)
_ARTICLE = "\u0627\u0644"  # the Arabic article, as a clitic
_CARDINAL_WORDS = frozenset({"atom", "hundreds", "hundred"})
_POWERS_OF_TEN = {Decimal(10) ** k for k in range(1, 7)}
_SPACED_GROUP = re.compile(r"\d{3}(?:\.\d+)?")  # a group of space-grouped thousands, the last with decimals
_MAX_EXPONENT_DIGITS = 3  # e999 at most: beyond it Decimal overflows, and no amount needs it
_MAX_NESTING = 4  # number reads inside number reads; real text needs two


_CLITIC_SETS: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _clitic_sets(table: PhraseTable) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Clitics a number's first word may carry (all but the article) and those its later
    words may carry (the connector و), computed once per language."""
    key = id(table)
    if key not in _CLITIC_SETS:
        if table.lang == "ar":
            first = tuple(c for c in table.proclitics if not c.endswith(_ARTICLE))
            _CLITIC_SETS[key] = (first, ("\u0648",))  # و joins parts
        else:
            _CLITIC_SETS[key] = ((), ())
    return _CLITIC_SETS[key]


def _vulgar(ch: str) -> Decimal | None:
    """½ ⅔ ¾ …: a vulgar fraction character's value (below one), or None."""
    if len(ch) != 1 or not ("\u00bc" <= ch <= "\u00be" or "\u2150" <= ch <= "\u215e"):
        return None
    return Decimal(str(unicodedata.numeric(ch))).quantize(Decimal("1e-15"))


def divide(a: Decimal, b: Decimal) -> Decimal:
    """a / b to 28 significant digits (1/3 cannot be exact)."""
    with localcontext() as ctx:
        ctx.prec = 28
        return a / b


@dataclass(slots=True)
class NumberParse:
    """A number read from tokens [start, end); `skip` characters of the first are a clitic."""

    value: Decimal
    start: int
    end: int
    skip: int = 0
    scale: Decimal | None = None  # the last scale word used, if any
    head: Decimal | None = None  # the number before the first scale: 15 of "15 million"
    words: bool = False  # spelled out, at least in part
    literal: bool = False  # digits, at least in part

    @property
    def parts(self) -> str:
        core = "<words>" if self.words and not self.literal else "<number>"
        return core + (" <scale>" if self.scale is not None else "")


@dataclass(slots=True)
class _Group:
    """The part of a number below the next scale word: 'خمسمائة وخمسة وعشرون' of 525 ألفا."""

    value: Decimal | None = None
    literal: bool = False
    units: bool = False
    tens: bool = False
    teen: bool = False
    hundreds: bool = False
    last_unit: bool = False  # the last item read was a unit 1-9: a teen suffix may follow
    indefinite: bool = False  # "a" standing for one, valid only before hundred/scale/fraction
    last_atom: Decimal | None = None  # the last joined part: the count of a plural fraction
    fraction_only: bool = False  # only a fraction: after a scale it is a fraction of that scale
    last_joined: bool = False  # the last part came after a connector (and, و)
    joins: int = 0  # how many connectors joined parts of this group
    decimal: bool = False  # a spoken decimal point was read: a second one starts another number

    def words_only(self) -> bool:
        return self.value is not None and not self.literal and not self.indefinite


class NumberReader:
    """Reads numbers from one tokenized text with one language's phrase table."""

    def __init__(self, tokens: list[Token], table: PhraseTable, folded=None):
        self.tokens = tokens
        self.table = table
        self.folded = folded
        self.original = folded.original if folded is not None else None
        self.lang = table.lang
        self._first_clitics, self._next_clitics = _clitic_sets(table)
        self._depth = 0  # how many number reads are running inside one another
        self._in_compound = False  # reading the cardinal of "one hundred and first"

    # --- helpers ---------------------------------------------------------

    def tok(self, i: int) -> Token | None:
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def is_sym(self, i: int, chars: str) -> bool:
        t = self.tok(i)
        return t is not None and t.kind == "sym" and t.text in chars

    def is_digits(self, i: int) -> bool:
        t = self.tok(i)
        return t is not None and t.kind == "num" and t.text.isdigit()

    def match(self, i: int, categories, clitics=None) -> Match | None:
        return self.table.longest(self.tokens, i, categories, clitics)

    def word(self, i: int, categories, first: bool) -> Match | None:
        """A number word at i; the first may carry a clitic (not the article), later ones only و."""
        t = self.tok(i)
        if t is None or t.kind != "word":
            return None
        return self.match(i, categories, self._first_clitics if first else self._next_clitics)

    # --- digit numerals --------------------------------------------------

    def literal_at(self, i: int) -> tuple[Decimal, int] | None:
        """A digit numeral at i with what binds to it: digit fractions (3/4, 2 1/4),
        exponents (1.2e9, 1.1^23), a reversed decimal (1ر20) and space-grouped
        thousands (1 234 567). Returns (value, end)."""
        t = self.tok(i)
        if t is None or t.kind != "num":
            return None
        value, j = t.value, i + 1
        assert value is not None
        nxt = self.tok(j)
        if nxt is not None and nxt.glued and t.text.isdigit() and self.match(j, {"reversed_decimal"}) and self.is_digits(j + 1) and self.tokens[j + 1].glued:
            return Decimal(f"{self.tokens[j + 1].text}.{t.text}"), j + 2
        if self.is_sym(j, "-") and self.tokens[j].glued and self.is_digits(j + 1) and self.tokens[j + 1].glued and self.is_sym(j + 2, "/") and self.is_digits(j + 3) and self.tokens[j + 3].value and not self.is_sym(j + 4, "/-"):
            small, den = self.tokens[j + 1].value, self.tokens[j + 3].value
            if t.text.isdigit() and small < den:  # wire-style mixed fraction: 12-3/8 pct, 32-5/8 dlrs
                return value + divide(small, den), j + 4
        if self.is_sym(j, "/") and self.is_digits(j + 1) and not self.is_sym(j + 2, "/") and not self._date_tail(i):
            if self.tokens[j + 1].value:
                return divide(value, self.tokens[j + 1].value), j + 2
        times = self.tok(j)
        if times is not None and times.glued and times.text in ("x", "\u00d7") and self.tok(j + 1) is not None and self.tokens[j + 1].text == "10" and self.tokens[j + 1].glued:
            power = self._exponent(j + 2)
            if power is not None and power[0] == "^":
                return value.scaleb(power[1]), power[2]  # 1.3x10^6
        exponent = self._exponent(j)
        if exponent is not None:
            kind, power, end = exponent
            if kind == "e":
                return value.scaleb(power), end
            if abs(power) <= 64 and value:
                with localcontext() as ctx:
                    ctx.prec = 28
                    return value**power, end
        if t.text.isdigit() and len(t.text) <= 3 and not self.is_sym(i - 1, "+"):
            k, digits = j, t.text  # space-grouped thousands: 1 234 567, never 423 0000 or +1 222 2222
            while (n := self.tok(k)) is not None and n.kind == "num" and not n.glued and n.start - self.tokens[k - 1].end == 1 and _SPACED_GROUP.fullmatch(n.text):
                digits += n.text
                k += 1
                if "." in n.text:
                    break  # 1 234.5: the decimals end the number (and "000.000,0" is no group at all)
            after = self.tok(k)
            spaced_on = after is not None and after.kind == "num" and after.start - self.tokens[k - 1].end == 1
            if k > j and not spaced_on:
                return Decimal(digits), k
        if self.is_digits(j) and not self.tokens[j].glued and self.is_sym(j + 1, "/") and self.is_digits(j + 2) and not self.is_sym(j + 3, "/") and self.tokens[j + 2].value:
            return value + divide(self.tokens[j].value, self.tokens[j + 2].value), j + 3
        return value, j

    def _date_tail(self, i: int) -> bool:
        return self.is_sym(i - 1, "/") and self.is_digits(i - 2)

    def _exponent(self, j: int) -> tuple[str, int, int] | None:
        """'e10', 'e+14', 'e-1', '^23', '^-1' glued after a numeral: (kind, exponent, end)."""
        t = self.tok(j)
        if t is None or not t.glued:
            return None
        if not ((t.kind == "word" and t.text == "e") or (t.kind == "sym" and t.text == "^")):
            return None
        k, sign = j + 1, 1
        while self.is_sym(k, "+-") and self.tokens[k].glued:
            sign = -sign if self.tokens[k].text == "-" else sign
            k += 1
        if self.is_digits(k) and self.tokens[k].glued and len(self.tokens[k].text) <= _MAX_EXPONENT_DIGITS:
            return ("e" if t.text == "e" else "^"), sign * int(self.tokens[k].text), k + 1
        return None

    # --- whole numbers ---------------------------------------------------

    def number_at(self, i: int, allow_over: bool = True) -> NumberParse | None:
        """The longest number starting at token i, sign and all, or None."""
        sign, j, skip = ONE, i, 0
        t = self.tok(i)
        if t is None:
            return None
        if t.kind == "sym" and t.text in "-+" and not (t.glued and self.tok(i - 1) and self.tokens[i - 1].kind in ("word", "num")):
            if self.tok(i + 1) is not None and (self.tokens[i + 1].kind == "num" or (self.is_sym(i + 1, ".") and self.is_digits(i + 2))):
                sign, j = (-ONE if t.text == "-" else ONE), i + 1
        elif t.kind == "word" and (neg := self.word(i, {"negative"}, first=True)):
            sign, j, skip = -ONE, neg.end, 0
        parse = self._unsigned_at(j) or self._leading_point(j) or self._part_of(j)
        if parse is None:
            return None
        if allow_over:
            parse = self._decimal_of(parse) or self._over(parse)
        parse.value *= sign
        if j != i:  # the sign belongs to the span
            parse.start, parse.skip = i, skip
        return parse

    def _part_of(self, i: int) -> NumberParse | None:
        """'جزء من مئة' = 1/100: a fraction with its numerator left out."""
        m = self.match(i, {"part_of"}, ())
        if m is None:
            return None
        below = self._unsigned_at(m.end)
        if below is None or not below.value:
            return None
        return NumberParse(divide(ONE, below.value), i, below.end, words=True)

    def _leading_point(self, i: int) -> NumberParse | None:
        """'.77', '٫٧٧': a decimal with no whole part (never the end of '1.5.')."""
        if not (self.is_sym(i, ".") and self.is_digits(i + 1) and self.tokens[i + 1].glued):
            return None
        if i > 0 and self.tokens[i].glued and self.tokens[i - 1].kind in ("num", "word"):
            return None
        value = Decimal("0." + self.tokens[i + 1].text)
        parse = NumberParse(value, i, i + 2, literal=True)
        nxt = self.match(i + 2, {"scale"}, ())
        if nxt is not None and (not nxt.payload.glued or self.tokens[i + 2].glued):
            parse.value, parse.end, parse.scale, parse.head = value * nxt.payload.value, nxt.end, Decimal(nxt.payload.value), value
        return parse

    def _fraction_after_number(self, k: int, m: Match, g: _Group, joined: bool):
        """A fraction word that only follows a number: ثلاث وعشرون خمس (23/5), one fifth,
        two thirds, three twenty-firsts, ثلاث وخمس (3 + 1/5)."""
        after = self.match(k, {"fraction_after"}, self._next_clitics if joined else ())
        if after is not None and (m is None or after.end >= m.end):
            denominator, form = after.payload
            if not joined:
                return "fraction_whole", Decimal(denominator), after.end, after.skip, None
            part = divide(TWO if form == "dual" else ONE, Decimal(denominator))
            return "fraction", part, after.end, after.skip, None
        if self.lang == "en" and joined is False and g.words_only() and g.last_joined and g.last_atom is not None:
            ordinal = self._ordinal_denominator(k)
            if ordinal is not None and ordinal[2] and (g.joins >= 2 or not g.hundreds):
                return "fraction_count", ordinal[0], ordinal[1], 0, None  # twenty and three fifths = 20 + 3/5
        if self.lang == "en" and not joined and g.words_only():
            ordinal = self._ordinal_denominator(k)
            if ordinal is None or not (g.value == ONE or ordinal[2]):
                return None
            tens = g.last_atom
            if tens is not None and not g.last_joined and tens % TEN == 0 and Decimal(20) <= tens < HUNDRED and ordinal[0] < TEN and g.value > tens:
                return "fraction_replace", divide(g.value - tens, tens + ordinal[0]), ordinal[1], 0, None  # one hundred thirty fifths = 100/35
            return "fraction_whole", ordinal[0], ordinal[1], 0, None
        return None

    def _ordinal_denominator(self, k: int) -> tuple[Decimal, int, bool] | None:
        """'fifth', 'fifths', 'twenty-firsts', 'hundredths' as denominators: (value, end, plural)."""
        t = self.tok(k)
        if t is None or t.kind != "word":
            return None
        plural = False
        m = self.match(k, {"ordinal"}, ())
        if m is None and t.text.endswith("s"):
            stem = Token(t.kind, t.text[:-1], t.start, t.end - 1, t.glued)
            saved, self.tokens[k] = self.tokens[k], stem
            try:
                m = self.match(k, {"ordinal"}, ())
            finally:
                self.tokens[k] = saved
            plural = m is not None
        if m is None:
            compound = self._english_compound_ordinal(k)
            if compound is None:
                return None
            return compound.value, compound.end, False
        if m.payload < 3 and not plural:  # "one second", "one first" are not fractions
            return None
        if self.match(m.end, {"fraction"}, ()) is not None:
            return None
        return m.payload, m.end, plural

    def _plural_fraction_at(self, i: int) -> bool:
        m = self.match(i, {"fraction"}, ())
        if m is not None and m.payload[1] == "plural":
            return True
        if self.lang == "en":
            ordinal = self._ordinal_denominator(i)
            return ordinal is not None and ordinal[2]
        return False

    def _decimal_of(self, parse: NumberParse) -> NumberParse | None:
        """'ستة وثمانية وثمانون من مئة' = 6.88: a whole part, و, then tenths or hundredths written out."""
        conn = self.match(parse.end, {"connector"}, ())
        k = conn.end if conn is not None else parse.end
        after = self._unsigned_at(k) if conn is not None or self._glued_and(k) else None
        if after is not None:
            of = self.match(after.end, {"decimal_of"}, ())
            base = self._unsigned_at(of.end) if of is not None else None
            if base is not None and base.value in _POWERS_OF_TEN and after.value < base.value:
                return NumberParse(parse.value + divide(after.value, base.value), parse.start, base.end, parse.skip, words=True)
        of = self.match(parse.end, {"decimal_of"}, ())
        if of is None:
            return None
        base = self._unsigned_at(of.end)
        if base is None or base.value not in _POWERS_OF_TEN:
            return None
        for split in range(parse.end - 1, parse.start, -1):
            t = self.tokens[split]
            glued_and = t.kind == "word" and self.word(split, {"atom", "hundreds", "hundred"}, first=False) is not None and self.word(split, {"atom", "hundreds", "hundred"}, first=False).skip
            separate = self.match(split, {"connector"}, ()) is not None
            if not (glued_and or separate):
                continue
            whole = self._unsigned_at(parse.start, limit=split)
            part = self._unsigned_at(split + 1 if separate else split)
            if part is None and glued_and:
                part = self._part_after_clitic(split)
            if whole is None or part is None or whole.end != split or part.end != parse.end or part.value >= base.value:
                continue
            return NumberParse(whole.value + divide(part.value, base.value), parse.start, base.end, parse.skip, words=True)
        return None

    def _glued_and(self, i: int) -> bool:
        m = self.word(i, {"atom", "hundreds", "hundred", "scale"}, first=False)
        return m is not None and m.skip > 0

    def _part_after_clitic(self, i: int) -> NumberParse | None:
        m = self.word(i, {"atom", "hundreds", "hundred"}, first=False)
        if m is None:
            return None
        rest = self._unsigned_at(i)
        return rest

    def _over(self, parse: NumberParse) -> NumberParse:
        """'X على Y', 'X جزء من Y', 'one over twenty', 'واحد من ثلاثة': a fraction in words."""
        over = self.match(parse.end, {"fraction_over", "fraction_over_words"}, ())
        if over is None or parse.scale is not None:
            return parse
        below = self._unsigned_at(over.end)
        if below is None or not below.value:
            return parse
        if over.category == "fraction_over_words" and ((parse.literal or below.literal) and not (parse.literal and below.words) or parse.value >= below.value):
            return parse  # "واحد من ثلاثة" = 1/3; "five out of three pieces" is two numbers
        nxt = self.tok(below.end)
        if over.category == "fraction_over" and nxt is not None and nxt.kind in ("word", "num") and self.lang == "en":
            return parse  # "5 over 3 years": a span of time, not a fraction
        parse.value = divide(parse.value, below.value)
        parse.end = below.end
        return parse

    def _unsigned_at(self, i: int, limit: int | None = None) -> NumberParse | None:
        """Digits and number words, joined by connectors, multiplied by scales (tokens before `limit`).

        A read may start another one (a denominator, spoken decimals, the cardinal of a
        compound ordinal); nesting is bounded so that no text, however repetitive, can
        make the reads recurse down the whole text.
        """
        if self._depth >= _MAX_NESTING:
            return None
        self._depth += 1
        try:
            return self._read_unsigned(i, limit)
        finally:
            self._depth -= 1

    def _read_unsigned(self, i: int, limit: int | None) -> NumberParse | None:
        total = Decimal(0)
        group = _Group()
        last_scale: Decimal | None = None
        head: Decimal | None = None
        words = literal = False
        start_skip = 0
        j = i
        have = False
        while True:
            k, joined, hyphen = j, False, False
            if have:
                conn = self.match(k, {"connector"}, ())
                if conn is not None and not self._next_is_percent_word(conn.end):
                    k, joined = conn.end, True
                elif self.lang == "en" and self.is_sym(k, "-") and group.words_only() and group.value < TEN and (frac := self.match(k + 1, {"fraction"}, ())) is not None and frac.payload[1] == "plural":
                    group.value = divide(group.value, Decimal(frac.payload[0]))  # three-quarters
                    group.fraction_only = True
                    group.hundreds = group.units = group.tens = group.teen = True
                    j = frac.end
                    continue
                elif self.lang == "en" and self.is_sym(k, "-") and group.words_only() and group.value < TEN and self._ordinal_denominator(k + 1) is not None:
                    den, end, _plural = self._ordinal_denominator(k + 1)  # type: ignore[misc]
                    group.value = divide(group.value, den)  # one-eighth, five - eighths
                    group.fraction_only = True
                    group.hundreds = group.units = group.tens = group.teen = True
                    j = end
                    continue
                elif self.lang == "en" and self.is_sym(k, "-") and group.tens and not group.units and self.tok(k + 1) is not None and self.tokens[k + 1].kind == "word":
                    nxt = self.match(k + 1, {"atom"}, ())
                    if nxt is not None and nxt.payload < TEN:
                        k, joined, hyphen = k + 1, True, True  # twenty-five, fifty - two
            step = self._step(k, group, last_scale, have, joined) if limit is None or k < limit else None
            if step is None or (limit is not None and step[2] > limit):
                break
            kind, value, end, skip, extra = step
            if not have:
                start_skip = skip
            elif skip and not joined:
                joined = True  # a glued و is a connector: وعشرون
            # --- apply the step --------------------------------------------
            if kind == "literal":
                group = _Group(value=value, literal=True)
                literal = True
            elif kind == "literal_part":
                group.value = (group.value or Decimal(0)) + value
                group.units = group.tens = True
                literal = True
            elif kind == "indefinite":
                group = _Group(value=ONE, indefinite=True)
            elif kind in ("unit", "teen", "tens"):
                group.joins += bool(joined and self.match(k - 1, {"connector"}, ()) is not None or (joined and skip))
                group.last_joined = joined and not hyphen  # twenty-three is one part, twenty and three two
                group.last_atom = value if (joined and not hyphen) or group.value is None else (group.last_atom or Decimal(0)) + value
                group.value = value if group.value is None or group.indefinite else group.value + value
                group.indefinite = False
                group.units |= kind == "unit"
                group.teen |= kind == "teen"
                group.tens |= kind == "tens"
                group.last_unit = kind == "unit"
                words = True
            elif kind == "teen_suffix":
                group.value = (group.value or Decimal(0)) + TEN
                group.last_atom = (group.last_atom or Decimal(0)) + TEN
                group.teen, group.units, group.last_unit = True, False, False
                words = True
            elif kind == "hundreds":
                group = _Group(value=value, hundreds=True) if group.value is None else _Group(value=group.value + value, hundreds=True)
                words = True
            elif kind == "hundred":
                group.value = (group.value if group.value is not None else ONE) * HUNDRED
                group.last_atom, group.last_joined = None, False
                group.hundreds, group.units, group.tens, group.indefinite, group.last_unit = True, False, False, False, False
                words = True
            elif kind == "scale":
                multiplier, scale = value, extra
                if last_scale is not None and scale > last_scale and group.value is None:
                    total *= scale  # three thousand millions
                else:
                    total += multiplier * scale
                    head = head if head is not None else multiplier
                last_scale = scale
                group = _Group()
                words = words or not literal
            elif kind == "fraction_of_scale":  # مليار ونصف (المليار)
                total += value * last_scale  # type: ignore[operator]
                group = _Group()
            elif kind == "fraction":
                group.fraction_only = group.value is None or group.indefinite
                group.value = value if group.value is None or group.indefinite else group.value + value
                group.indefinite = False
                group.hundreds = group.units = group.tens = True  # nothing below a fraction
                words = True
            elif kind == "fraction_count":  # ثلاثة أخماس = 3/5; عشرون وثلاثة أخماس = 20 + 3/5
                small = group.last_atom is not None and group.last_atom <= TEN  # a count of parts is small
                count = group.last_atom if small and (group.last_joined or self.lang == "ar") else (group.value or ONE)
                group.fraction_only = count == (group.value or ONE)
                group.value = (group.value or ONE) - count + divide(count, value)
                group.hundreds = group.units = group.tens = True
                words = True
            elif kind == "noop":
                pass
            elif kind == "fraction_replace":
                group.value = value
                group.fraction_only = True
                group.hundreds = group.units = group.tens = group.teen = True
            elif kind == "local_scale":  # dozens count only their own number
                group.value = (group.value or Decimal(0)) - value + value * extra
                group.hundreds = group.units = group.tens = True
            elif kind == "fraction_whole":  # ثلاث وعشرون خمس = 23/5, one fifth = 1/5
                group.fraction_only = True
                group.value = divide(group.value or ONE, value)
                group.hundreds = group.units = group.tens = group.teen = True
                words = True
            elif kind == "decimal":
                group.value = (group.value or Decimal(0)) + value
                group.decimal = True
                group.hundreds = group.units = group.tens = group.teen = True
            j = end
            have = True
        if not have or group.indefinite:
            return None
        if group.fraction_only and last_scale is not None and group.value is not None and group.value < ONE:
            value = total + group.value * last_scale  # three million and a half = 3.5 million
        else:
            value = total + (group.value or Decimal(0))
        return NumberParse(value, i, j, start_skip, last_scale, head, words, literal)

    def _next_is_percent_word(self, i: int) -> bool:
        return self.match(i, {"percent_after", "percent_before"}, ()) is not None

    def _step(self, k: int, g: _Group, last_scale: Decimal | None, have: bool, joined: bool):
        """What the token at k adds to the number, or None to stop: (kind, value, end, skip, extra)."""
        t = self.tok(k)
        if t is None:
            return None
        first = not have
        fresh = g.value is None  # a new group may start here
        if t.kind == "num":
            lit = self.literal_at(k)
            if lit is None:
                return None
            if fresh and last_scale is not None and joined:
                after = self.match(lit[1], {"scale"}, ())
                if after is not None and Decimal(after.payload.value) >= last_scale:
                    return None  # بين 10 ملايين و15 مليون: the و joins two amounts, not parts of one
                return "literal", lit[0], lit[1], 0, None
            if first:
                return "literal", lit[0], lit[1], 0, None
            if joined and g.hundreds and not g.units and not g.tens and not g.teen and 0 < lit[0] < HUNDRED and self.word(lit[1], {"hundred", "scale"}, first=False) is None:
                return "literal_part", lit[0], lit[1], 0, None  # 3 hundred and 21
            if fresh and last_scale is not None and lit[0] < TEN and self.word(lit[1], {"hundred"}, first=False) is not None:
                return "literal", lit[0], lit[1], 0, None  # 4 thousand 3 hundred
            return None
        if have and g.fraction_only and not joined and t.kind == "word":
            definite = self.match(k, {"scale"}, (_ARTICLE,))
            if definite is not None and definite.skip and definite.payload.number == "singular":
                return "scale", g.value, definite.end, 0, Decimal(definite.payload.value)  # ربع المليون
            link = self.match(k, {"fraction_link"}, ())
            scale = self._free_scale(link.end) if link is not None else None
            if scale is not None and scale.payload.number != "plural":
                return "noop", None, link.end, 0, None  # a quarter of a million
        if t.kind == "sym" and (vulgar := _vulgar(t.text)) is not None:
            if first or (g.value is not None and g.literal and t.glued) or joined:
                return "fraction", vulgar, k + 1, 0, None  # ½, 2½, ¾
            return None
        if t.kind != "word":
            return None
        m = self.word(k, {"atom", "teen_suffix", "hundreds", "hundred", "scale", "fraction", "indefinite", "needs_indefinite", "decimal_point"}, first=first and not joined)
        if m is None and have and not joined:
            m = self.word(k, {"atom", "hundreds", "fraction", "scale"}, first=False)  # glued و
            if m is not None and not m.skip:
                m = None
            joined = m is not None
        if m is None:
            if have and g.value is not None and not g.literal:
                return self._fraction_after_number(k, None, g, joined)  # one fifth, three twenty-firsts
            return None
        if m.skip and have:
            joined = True  # a glued و is a connector: وعشرون، ونصف
        cat = m.category
        skip = m.skip
        if cat == "hundreds" and not joined and g.value is not None and not g.hundreds and (g.literal or g.value < TEN):
            multiplier = self.word(k, {"hundred"}, first=False)
            if multiplier is not None and multiplier.end == m.end:
                m, cat = multiplier, "hundred"  # ثمان مئة = 800, not 8 then 100
        if cat == "teen_suffix" or (cat == "atom" and m.payload == TEN and g.last_unit and not joined and not g.literal):
            if g.last_unit and not joined and not g.teen and g.last_atom is not None and g.last_atom < TEN:
                return "teen_suffix", None, m.end, skip, None
            if cat == "teen_suffix":
                return None
        step = self._word_step(k, m, cat, skip, g, last_scale, first, fresh, joined)
        if step is None and have and g.value is not None and not g.literal:
            return self._fraction_after_number(k, m, g, joined)  # only where a cardinal cannot go on
        return step

    def _word_step(self, k, m, cat, skip, g, last_scale, first, fresh, joined):
        t = self.tokens[k]
        if cat == "atom" and g.value is None and last_scale is not None and not joined and self.match(k, {"agreeing_one"}, ()) is not None:
            return "noop", None, m.end, skip, None  # مليون واحد: one agrees with the scale
        if cat == "atom":
            v = m.payload
            teen_only = self.match(k, {"teen_only"}, self._first_clitics)
            if teen_only is not None and teen_only.skip == m.skip and self.match(m.end, {"teen_suffix"}, ()) is None:
                return None  # أحد المسؤولين: "one of", not a number
            kind = "unit" if v < TEN else ("teen" if v < 20 else "tens")
            if v == 0:
                if not first:
                    return None  # zero ends a number: "4300 و صفر" are two numbers
                kind = "unit"
            if first:
                return kind, v, m.end, skip, None
            if joined and not g.literal and self._plural_fraction_at(m.end):
                return kind, v, m.end, skip, None  # سبعة و عشرة أخماس = 7 + 10/5
            if g.literal and g.hundreds and joined and not g.units and not g.tens and not g.teen:
                return kind, v, m.end, skip, None  # 3 hundred and one
            if g.indefinite or g.literal:
                return None
            if fresh:
                return (kind, v, m.end, skip, None) if last_scale is not None and (joined or not skip) else None
            if kind == "unit" and g.tens and not g.units and not g.teen and (self.lang == "en" or joined):
                return kind, v, m.end, skip, None  # twenty five / twenty-five
            if kind == "tens" and g.units and not g.tens and not g.teen and joined and self.lang == "ar":
                return kind, v, m.end, skip, None  # خمسة وعشرون (English never puts the unit first)
            if g.hundreds and not g.units and not g.tens and not g.teen:
                return kind, v, m.end, skip, None  # مائة وستة / one hundred and six / خمسمية خمسة
            return None
        if cat == "needs_indefinite":
            return None
        if cat == "hundred":
            if g.value is not None and not g.hundreds and not joined and (g.literal or g.value < HUNDRED):
                return "hundred", None, m.end, skip, None  # ثلاث مائة, twenty-five hundred
            if first and self.lang == "en":
                return "hundreds", HUNDRED, m.end, skip, None
            if not (first or (fresh and last_scale is not None and joined)):
                return None
            return "hundreds", HUNDRED, m.end, skip, None
        if cat == "hundreds":
            if first or (fresh and last_scale is not None and (joined or self.lang == "en")):
                return "hundreds", m.payload, m.end, skip, None
            return None
        if cat == "indefinite":
            if self.lang == "en" and (first or joined):
                ordinal = self._ordinal_denominator(m.end)
                if ordinal is not None and not ordinal[2]:
                    return "fraction", divide(ONE, ordinal[0]), ordinal[1], skip, None  # a fifth, and a thirtieth
            if g.fraction_only and not joined and self._free_scale(m.end, self._next_clitics) is not None:
                return "noop", None, m.end, skip, None  # half a dozen, half a billion
            if first or (joined and g.value is not None and not g.literal) or (fresh and joined):
                nxt = self.word(m.end, {"hundred", "scale", "fraction", "needs_indefinite"}, first=False)
                if nxt is None:
                    return None
                if nxt.category == "needs_indefinite":
                    atom = self.match(m.end, {"atom"}, ())
                    if atom is None:
                        return None
                    return "unit", atom.payload, atom.end, skip, None
                if first:
                    return "indefinite", ONE, m.end, skip, None
                if nxt.category == "fraction" and nxt.payload[1] == "singular":
                    return "fraction", divide(ONE, Decimal(nxt.payload[0])), nxt.end, skip, None  # and a half
                return None
            return None
        if cat == "scale":
            entry = m.payload
            scale = Decimal(entry.value)
            if entry.glued and not (g.literal and not joined and (t.glued or (self._ends_phrase(m.end) and not self.match(k, {"currency"}, ())))):
                return None  # 10M, 1.5bn; "2.33 k" only at the end of a phrase (and "42 L.E" is a currency)
            if g.value is not None and not joined:
                if entry.number == "dual" and not g.literal:
                    return None
                multiplier = g.value
                if scale < 1000 and g.last_atom is not None and g.last_joined:
                    return "local_scale", g.last_atom, m.end, skip, scale  # three hundred and two dozens
            elif g.value is None and last_scale is not None and scale > last_scale and not joined:
                return "scale", ONE, m.end, skip, scale  # three thousand millions
            elif g.value is None and (first or joined):
                if entry.number == "plural" or entry.number == "abbreviation":
                    return None
                multiplier = TWO if entry.number in ("dual", "dual_or_accusative") else ONE
                if entry.number == "dual_or_accusative" and self._accusative_alone(k, m.end):
                    multiplier = ONE  # أنفقت مليارًا: "a billion" (the dual is مليارا دولار)
            else:
                return None
            if last_scale is not None:
                if scale < last_scale:
                    pass
                elif scale > last_scale and g.value is None and not joined:
                    multiplier = ONE
                else:
                    return None
            return "scale", multiplier, m.end, skip, scale
        if cat == "fraction":
            denominator, form = m.payload
            part = divide(ONE, Decimal(denominator))
            if form == "plural":
                if g.value is not None and not joined and not g.indefinite:
                    return "fraction_count", Decimal(denominator), m.end, skip, None
                return None
            if form == "dual":
                part *= TWO
            if self._before_ordinal(m.end):
                return None  # الربع الثالث، النصف الأول: a period, not a fraction
            if joined and g.value is None and last_scale is not None and form == "singular":
                end = m.end
                again = self.match(end, {"scale"})  # مليار ونصف المليار
                if again is not None and Decimal(again.payload.value) == last_scale:
                    end = again.end
                return "fraction_of_scale", part, end, skip, None
            if first or g.indefinite or (joined and g.value is not None and not g.literal):
                if self.lang == "en" and first and not g.indefinite:
                    link = self.match(m.end, {"fraction_link"}, ())
                    if self._free_scale(m.end, self._next_clitics) is None and not (link and (self._free_scale(link.end) or self.match(link.end, {"percent_after", "points"}, ()))):
                        return None  # "half" alone (or "half an hour") is not a number in English news; "half a billion", "half a percent" are
                return "fraction", part, m.end, skip, None
            if joined and g.value is not None and g.literal:
                return "fraction", part, m.end, skip, None
            if not joined and g.value == ONE and g.words_only() and form == "singular":
                return "fraction_whole", Decimal(denominator), m.end, skip, None  # one half
            return None
        if cat == "decimal_point":
            if (g.value is None and not first) or g.decimal:
                return None  # "twenty point two point five" is not one number
            digits, end = self._spoken_digits(m.end)
            if not digits:
                return None
            return "decimal", Decimal("0." + digits), end, skip, None
        return None

    def _free_scale(self, i: int, clitics: tuple[str, ...] = ()) -> Match | None:
        """A scale word at i that can stand apart from digits (not "b" or "bn", which only follow them)."""
        t = self.tok(i)
        m = self.match(i, {"scale"}, clitics) if t is not None and t.kind == "word" else None
        return m if m is not None and not m.payload.glued else None

    def _accusative_alone(self, k: int, end: int) -> bool:
        """مليونًا with tanween written, or with no noun after it: the accusative singular."""
        if self.original is not None and "\u064b" in self.original_text(k):
            return True
        nxt = self.tok(end)
        return nxt is None or nxt.kind != "word"

    def original_text(self, k: int) -> str:
        t = self.tokens[k]
        s, e = self.folded.span(t.start, t.end)
        return self.original[s:e]

    def _ends_phrase(self, i: int) -> bool:
        t = self.tok(i)
        return t is None or (t.kind == "sym" and t.text in ".,;:!?)\u060C\u061B\u061F")

    def _spoken_digits(self, i: int) -> tuple[str, int]:
        """Digits after a spoken decimal point: 'point 77', 'فاصلة خمسة'."""
        if self.is_digits(i):
            return self.tokens[i].text, i + 1
        out, j = "", i
        first = self.match(j, {"atom"}, ())
        if first is not None and first.payload >= TEN:  # point seventy-one, point eleven
            stop = j + 1  # below a hundred: at most "seventy - one", and never past another point
            while stop < min(len(self.tokens), j + 3) and self.match(stop, {"decimal_point"}, ()) is None:
                stop += 1
            whole = self._unsigned_at(j, limit=stop)
            if whole is not None and whole.value < HUNDRED and whole.value == whole.value.to_integral_value():
                return str(int(whole.value)), whole.end
        while (m := self.match(j, {"atom"}, ())) is not None and m.payload < TEN:
            out += str(int(m.payload))
            j = m.end
        return out, j

    def _before_ordinal(self, i: int) -> bool:
        return self.match(i, {"ordinal"}) is not None

    # --- ordinals --------------------------------------------------------

    def ordinal_at(self, i: int) -> NumberParse | None:
        """3rd, twenty-first, الثالث، الحادي عشر، الخامس والعشرون، العشرون."""
        t = self.tok(i)
        if t is None:
            return None
        if t.kind == "num" and t.text.isdigit():
            suffix = self.tok(i + 1)
            if suffix is not None and suffix.glued and self.match(i + 1, {"ordinal_suffix"}, ()) and not (self.tok(i + 2) and self.tokens[i + 2].glued and self.tokens[i + 2].kind == "word"):
                return NumberParse(Decimal(t.text), i, i + 2, literal=True)
            return None
        if t.kind != "word":
            return None
        m = self.match(i, {"ordinal"})
        if m is not None and self.lang == "en" and any(k >= 0 and self.match(k, {"indefinite"}, ()) is not None for k in (i - 1, i - 2)):
            return None  # "a second", "a split second": time, not an ordinal
        if m is not None and self.match(m.end, {"not_after_ordinal"}, ()) is not None:
            return None  # ثاني أكسيد الكربون: part of a compound name
        if m is not None and not m.skip and self.match(i, {"article_only"}, ()) is not None:
            return None  # ثانية alone is "a second" of time
        if m is not None and self.match(i, {"compound_only"}) is None:
            return self._ordinal_tail(i, self._keep_article(i, m.skip), m.payload, m.end)
        if self.lang != "ar":
            return self._english_compound_ordinal(i)
        # The article on a cardinal: العشرون، المئة، الواحد والعشرون، الاثنا عشر.
        card = self.match(i, {"atom", "hundreds", "hundred", "compound_only", "scale"})
        if card is None or not card.skip or not self.tokens[i].text[: card.skip].endswith(_ARTICLE):
            return None
        skip = self._keep_article(i, card.skip)
        if card.category == "scale":
            if card.payload.number != "singular":
                return None  # عشرات الآلاف، مئات الملايين: vague, not "the thousandth"
            return NumberParse(Decimal(card.payload.value), i, card.end, skip, words=True)
        value = card.payload if card.category != "compound_only" else ONE
        if card.category in ("hundreds", "hundred"):
            value = card.payload
        if value < TEN:  # a unit needs a teen suffix or "and twenty" to be an ordinal
            teen = self.match(card.end, {"teen_suffix"}, ())
            if teen is not None:
                return NumberParse(value + TEN, i, teen.end, skip, words=True)
            tail = self._and_tens(card.end)
            if tail is None:
                return None
            return NumberParse(value + tail[0], i, tail[1], skip, words=True)
        if value < HUNDRED:
            return NumberParse(value, i, card.end, skip, words=True)
        # المئة والخامسة والعشرون = 125
        j, total = card.end, value
        conn = self.match(j, {"connector"}, ())
        if conn is not None:
            rest = self.match(conn.end, {"ordinal", "atom"}, (_ARTICLE,))
        else:
            rest = self.match(j, {"ordinal", "atom"}, ("\u0648\u0627\u0644", "\u0648"))
        if rest is not None:
            total += rest.payload
            j = rest.end
            tail = self._and_tens(j)
            if tail is not None:
                total += tail[0]
                j = tail[1]
        return NumberParse(total, i, j, skip, words=True)

    def _keep_article(self, i: int, skip: int) -> int:
        """An ordinal's span keeps its article (الثالث) but not a clitic before it (والثالث)."""
        if skip and self.tokens[i].text[:skip].endswith(_ARTICLE):
            return skip - len(_ARTICLE)
        return skip

    def _ordinal_tail(self, i: int, skip: int, value: Decimal, j: int) -> NumberParse:
        teen = self.match(j, {"teen_suffix"}, ())
        if teen is not None and value < TEN:
            return NumberParse(value + TEN, i, teen.end, skip, words=True)
        tail = self._and_tens(j)
        if tail is not None and value < TEN:
            return NumberParse(value + tail[0], i, tail[1], skip, words=True)
        return NumberParse(value, i, j, skip, words=True)

    def _and_tens(self, j: int) -> tuple[Decimal, int] | None:
        """'والعشرون' / 'و العشرين' / 'و عشرون' after an ordinal unit."""
        conn = self.match(j, {"connector"}, ())
        k = conn.end if conn is not None else j
        m = self.match(k, {"atom"}, (_ARTICLE,) if conn is not None else ("\u0648\u0627\u0644", "\u0648"))
        if m is None or not (Decimal(20) <= m.payload < HUNDRED):
            return None
        if conn is None and not m.skip:
            return None
        return m.payload, m.end

    def _english_compound_ordinal(self, i: int) -> NumberParse | None:
        """twenty-first, thirty second, one hundred and first."""
        if self.match(i, _CARDINAL_WORDS, ()) is None:
            return None
        whole = None
        if not self._in_compound:  # its cardinal never ends in a compound ordinal itself
            self._in_compound = True  # (unguarded, "twenty and three fifths" x 20 took minutes)
            try:
                whole = self._unsigned_at(i)
            finally:
                self._in_compound = False
        if whole is not None and whole.words and whole.value >= HUNDRED:
            j = whole.end
            conn = self.match(j, {"connector"}, ())
            unit = self.match(conn.end if conn else j, {"ordinal"}, ())
            if unit is not None and unit.payload < HUNDRED:
                return NumberParse(whole.value + unit.payload, i, unit.end, words=True)
        tens = self.match(i, {"atom"}, ())
        if tens is None or not (Decimal(20) <= tens.payload < HUNDRED) or tens.payload % TEN:
            return None
        j = tens.end
        if self.is_sym(j, "-"):
            j += 1
        unit = self.match(j, {"ordinal"}, ())
        if unit is None or unit.payload >= TEN:
            return None
        return NumberParse(tens.payload + unit.payload, i, unit.end, words=True)
