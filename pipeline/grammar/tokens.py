"""Tokens of the folded text: digit runs, letter runs and single symbols.

Letters and digits never share a token, so a clitic or a scale glued to a
number (بـ15، 15مليون، 10M) comes apart by itself; `glued` records that no space
stood between a token and the one before it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

NUMERAL_SEPARATORS = ".,'\u060C"  # . , ' and ، (Arabic comma); ٫ ٬ are folded to . ,
_TOKEN = re.compile(r"(\d+(?:[.,'\u060C]\d+)*)|([^\W\d_\u00bc-\u00be\u2150-\u215e]+)|(\S)")  # ½ ⅔ are symbols
_GROUPS = re.compile(r"[.,'\u060C]")
# Decimal keeps 28 significant digits through arithmetic: a longer digit run cannot stay
# exact, and in news it is an identifier (an account, a hash), never an amount. It
# becomes an opaque word, which also keeps absurd inputs (a megabyte of digits) cheap.
MAX_NUMERAL_DIGITS = 28


class Token(NamedTuple):
    """A named tuple: tokens are made by the thousand, and tuples are the cheapest to make."""

    kind: str  # "num", "word" or "sym"
    text: str  # folded text
    start: int  # offsets into the folded text
    end: int
    glued: bool  # no space between this token and the previous one
    value: Decimal | None = None  # a "num" token's value


def parse_numeral(text: str) -> Decimal | None:
    """Read digits with separators; None when the grouping is not one number.

    A lone comma followed by three digits groups thousands; otherwise it is a
    decimal comma (Maghreb and European style). Two kinds of separator: the last
    one is the decimal mark. Indian lakh grouping (12,34,567) is accepted.

    >>> [str(parse_numeral(t)) for t in ("1,674,200.5", "12,5", "1,500", "0,08", "1.674.200,5", "9876,900")]
    ['1674200.5', '12.5', '1500', '0.08', '1674200.5', '9876.900']
    >>> parse_numeral("192.168.1.2") is None
    True
    """
    marks = [ch for ch in text if ch in NUMERAL_SEPARATORS]
    if not marks:
        return Decimal(text)
    groups = _GROUPS.split(text)
    kinds = set(marks)
    try:
        if len(kinds) == 1:
            mark = marks[0]
            if len(marks) == 1 and mark != "'":
                whole, frac = groups
                # 1,500 groups thousands; 12,5 / 0,500 / 9876,900 can only be decimals
                if mark == "." or len(frac) != 3 or whole.startswith("0") or len(whole) > 3:
                    return Decimal(f"{whole}.{frac}")
            return Decimal("".join(groups)) if _thousands(groups) else None
        if len(kinds) == 2 and marks.count(marks[-1]) == 1:
            cut = text.rindex(marks[-1])
            whole_groups = _GROUPS.split(text[:cut])
            if _thousands(whole_groups):
                return Decimal("".join(whole_groups) + "." + text[cut + 1 :])
    except InvalidOperation:
        return None
    return None


def _thousands(groups: list[str]) -> bool:
    """1,234,567 (groups of three) or 12,34,567 (Indian grouping)."""
    if not 1 <= len(groups[0]) <= 3 or len(groups) < 2:
        return False
    if all(len(g) == 3 for g in groups[1:]):
        return True
    return len(groups[-1]) == 3 and all(len(g) == 2 for g in groups[1:-1]) and len(groups[0]) <= 2


def tokenize(folded: str) -> list[Token]:
    """Split folded text into tokens; a digit run that is not one number splits at its separators."""
    tokens: list[Token] = []
    append = tokens.append
    last_end = -1
    for match in _TOKEN.finditer(folded):
        start, end = match.span()
        glued = start == last_end
        last_end = end
        group = match.lastindex  # 1 digits, 2 letters, 3 a symbol
        if group != 1:
            append(Token("word" if group == 2 else "sym", match.group(), start, end, glued))
            continue
        value = parse_numeral(match.group())
        if value is not None:
            if end - start > MAX_NUMERAL_DIGITS and sum(ch.isdigit() for ch in match.group()) > MAX_NUMERAL_DIGITS:
                tokens.append(Token("word", match.group(), start, end, glued))
            else:
                tokens.append(Token("num", match.group(), start, end, glued, value))
            continue
        # 192.168.1.2 or 5،10،20: several numbers, not one.
        pos = start
        for part in re.finditer(r"\d+|.", match.group()):
            kind = "sym" if not part.group()[0].isdigit() else "num" if len(part.group()) <= MAX_NUMERAL_DIGITS else "word"
            value = Decimal(part.group()) if kind == "num" else None
            tokens.append(Token(kind, part.group(), pos, pos + len(part.group()), pos == start and glued or pos != start, value))
            pos += len(part.group())
    return tokens
