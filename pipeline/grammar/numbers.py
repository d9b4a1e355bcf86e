"""Numbers: digit numerals, spelled-out numbers, scale words, fractions, ordinals.

`NumberReader.number_at(i)` reads the longest number that starts at token i:
"١٢٫٥ مليار", "twelve billion", "3.2bn", "مليار و200 مليون", "مليار ونصف المليار",
"اثنا عشر مليارا وخمسمائة مليون", "five and a half million". Values are exact
`Decimal`s; a scale multiplies (`Decimal("12.5") * 10**9`), never a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from .phrases import Match, PhraseTable
from .tokens import Token

ONE = Decimal(1)
TWO = Decimal(2)
TEN = Decimal(10)
HUNDRED = Decimal(100)
_ARTICLE = "\u0627\u0644"  # the Arabic article, as a clitic


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


class NumberReader:
    """Reads numbers from one tokenized text with one language's phrase table."""

    def __init__(self, tokens: list[Token], table: PhraseTable):
        self.tokens = tokens
        self.table = table
        self.lang = table.lang
        first = tuple(c for c in table.proclitics if not c.endswith(_ARTICLE))
        self._first_clitics = first if self.lang == "ar" else ()
        self._next_clitics = ("\u0648",) if self.lang == "ar" else ()  # و joins parts

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
        if self.is_sym(j, "/") and self.is_digits(j + 1) and not self.is_sym(j + 2, "/") and not self._date_tail(i):
            if self.tokens[j + 1].value:
                return divide(value, self.tokens[j + 1].value), j + 2
        exponent = self._exponent(j)
        if exponent is not None:
            kind, power, end = exponent
            if kind == "e":
                return value.scaleb(power), end
            if abs(power) <= 64 and value:
                with localcontext() as ctx:
                    ctx.prec = 28
                    return value**power, end
        if t.text.isdigit() and len(t.text) <= 3:  # space-grouped thousands, never 423 0000
            k, digits = j, t.text
            while (n := self.tok(k)) is not None and n.kind == "num" and not n.glued and n.start - self.tokens[k - 1].end == 1 and n.text.split(".")[0].isdigit() and len(n.text.split(".")[0]) == 3:
                digits += n.text
                k += 1
            if k > j:
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
        if self.is_digits(k) and self.tokens[k].glued:
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
            if self.tok(i + 1) is not None and self.tokens[i + 1].kind == "num":
                sign, j = (-ONE if t.text == "-" else ONE), i + 1
        elif t.kind == "word" and (neg := self.word(i, {"negative"}, first=True)):
            sign, j, skip = -ONE, neg.end, 0
        parse = self._unsigned_at(j)
        if parse is None:
            return None
        if allow_over:
            parse = self._over(parse)
        parse.value *= sign
        if j != i:  # the sign belongs to the span
            parse.start, parse.skip = i, skip
        return parse

    def _over(self, parse: NumberParse) -> NumberParse:
        """'X على Y' / 'X جزء من Y': a fraction written with words."""
        over = self.match(parse.end, {"fraction_over"}, ())
        if over is None or parse.scale is not None:
            return parse
        below = self._unsigned_at(over.end)
        if below is None or below.scale is not None or not below.value:
            return parse
        parse.value = divide(parse.value, below.value)
        parse.end = below.end
        return parse

    def _unsigned_at(self, i: int) -> NumberParse | None:
        """Digits and number words, joined by connectors, multiplied by scales."""
        total = Decimal(0)
        group = _Group()
        last_scale: Decimal | None = None
        head: Decimal | None = None
        words = literal = False
        start_skip = 0
        j = i
        have = False
        while True:
            k, joined = j, False
            if have:
                conn = self.match(k, {"connector"}, ())
                if conn is not None and not self._next_is_percent_word(conn.end):
                    k, joined = conn.end, True
                elif self.lang == "en" and self.is_sym(k, "-") and self.tokens[k].glued and self.tok(k + 1) is not None and self.tokens[k + 1].glued and self.tokens[k + 1].kind == "word":
                    k, joined = k + 1, True  # twenty-five
            step = self._step(k, group, last_scale, have, joined)
            if step is None:
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
            elif kind == "indefinite":
                group = _Group(value=ONE, indefinite=True)
            elif kind in ("unit", "teen", "tens"):
                group.value = value if group.value is None or group.indefinite else group.value + value
                group.indefinite = False
                group.units |= kind == "unit"
                group.teen |= kind == "teen"
                group.tens |= kind == "tens"
                group.last_unit = kind == "unit"
                words = True
            elif kind == "teen_suffix":
                group.value = (group.value or Decimal(0)) + TEN
                group.teen, group.units, group.last_unit = True, False, False
                words = True
            elif kind == "hundreds":
                group = _Group(value=value, hundreds=True) if group.value is None else _Group(value=group.value + value, hundreds=True)
                words = True
            elif kind == "hundred":
                group.value = (group.value if group.value is not None else ONE) * HUNDRED
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
                group.value = value if group.value is None or group.indefinite else group.value + value
                group.indefinite = False
                group.hundreds = group.units = group.tens = True  # nothing below a fraction
                words = True
            elif kind == "fraction_count":  # ثلاثة أخماس = 3/5
                group.value = divide(group.value or ONE, value)
                group.hundreds = group.units = group.tens = True
                words = True
            elif kind == "decimal":
                group.value = (group.value or Decimal(0)) + value
                group.hundreds = group.units = group.tens = group.teen = True
            j = end
            have = True
        if not have or group.indefinite:
            return None
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
            if not (first or (fresh and last_scale is not None and joined)):
                return None
            lit = self.literal_at(k)
            if lit is None:
                return None
            return "literal", lit[0], lit[1], 0, None
        if t.kind != "word":
            return None
        m = self.word(k, {"atom", "teen_suffix", "hundreds", "hundred", "scale", "fraction", "indefinite", "needs_indefinite", "decimal_point"}, first=first and not joined)
        if m is None and have and not joined:
            m = self.word(k, {"atom", "hundreds", "fraction", "scale"}, first=False)  # glued و
            if m is not None and not m.skip:
                m = None
            joined = m is not None
        if m is None:
            return None
        if m.skip and have:
            joined = True  # a glued و is a connector: وعشرون، ونصف
        cat = m.category
        skip = m.skip
        if cat == "teen_suffix" or (cat == "atom" and m.payload == TEN and g.last_unit and not joined and not g.literal):
            if g.last_unit and not joined and not g.teen and not g.tens and g.value is not None and g.value < TEN:
                return "teen_suffix", None, m.end, skip, None
            if cat == "teen_suffix":
                return None
        if cat == "atom":
            v = m.payload
            kind = "unit" if v < TEN else ("teen" if v < 20 else "tens")
            if v == 0:
                kind = "unit"
            if first:
                return kind, v, m.end, skip, None
            if g.indefinite or g.literal:
                return None
            if fresh:
                return (kind, v, m.end, skip, None) if last_scale is not None and (joined or self.lang == "en") else None
            if kind == "unit" and g.tens and not g.units and not g.teen:
                return kind, v, m.end, skip, None  # twenty five / twenty-five
            if kind == "tens" and g.units and not g.tens and not g.teen and joined:
                return kind, v, m.end, skip, None  # خمسة وعشرون
            if g.hundreds and not g.units and not g.tens and not g.teen:
                return kind, v, m.end, skip, None  # مائة وستة / one hundred and six / خمسمية خمسة
            return None
        if cat == "needs_indefinite":
            return None
        if cat == "hundred":
            if g.value is not None and not g.hundreds and not joined and (g.literal or g.value < TEN):
                return "hundred", None, m.end, skip, None
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
            if entry.glued and not (t.glued and g.literal and not joined):
                return None
            if g.value is not None and not joined:
                if entry.number == "dual" and not g.literal:
                    return None
                multiplier = g.value
            elif g.value is None and (first or joined):
                if entry.number == "plural" or entry.number == "abbreviation":
                    return None
                multiplier = TWO if entry.number in ("dual", "dual_or_accusative") else ONE
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
                    if self.word(m.end, {"scale", "indefinite"}, first=False) is None:
                        return None  # "half" alone is not a number in English news
                return "fraction", part, m.end, skip, None
            if joined and g.value is not None and g.literal:
                return "fraction", part, m.end, skip, None
            return None
        if cat == "decimal_point":
            if g.value is None and not first:
                return None
            digits, end = self._spoken_digits(m.end)
            if not digits:
                return None
            return "decimal", Decimal("0." + digits), end, skip, None
        return None

    def _spoken_digits(self, i: int) -> tuple[str, int]:
        """Digits after a spoken decimal point: 'point 77', 'فاصلة خمسة'."""
        if self.is_digits(i):
            return self.tokens[i].text, i + 1
        out, j = "", i
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
        """twenty-first, thirty second."""
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
