"""Folding: a matching copy of the text, with a map back to the original offsets.

Rules and lexicons match on the folded copy; every span they find is mapped back
to the article as ingested, so offsets in the output always point into the
original text. The article's own text is never modified.

Folding rewrites Eastern Arabic (٠-٩) and Persian (۰-۹) digits, the Arabic
decimal and thousands separators, alef/yaa/teh-marbuta variants, presentation
forms and Unicode spaces; it deletes diacritics, tatweel, bidi controls and
zero-width characters; it lower-cases Latin letters.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# One character in, one character out (`_one_for_one`): offsets do not move.
_SAME: dict[int, str] = {}
_SAME |= {0x0660 + i: str(i) for i in range(10)}  # ٠..٩ Arabic-Indic digits
_SAME |= {0x06F0 + i: str(i) for i in range(10)}  # ۰..۹ Persian digits
_SAME |= {0x066B: ".", 0x066C: ",", 0x066A: "%"}  # ٫ decimal, ٬ thousands, ٪ percent
_SAME |= {c: "\u0627" for c in (0x0622, 0x0623, 0x0625, 0x0671, 0x0672, 0x0673)}  # آ أ إ ٱ → ا
_SAME |= {0x0649: "\u064A", 0x06CC: "\u064A", 0x06D2: "\u064A"}  # ى ی ے → ي
_SAME |= {0x0629: "\u0647", 0x06C1: "\u0647", 0x06D5: "\u0647"}  # ة ہ ە → ه
_SAME |= {0x06A9: "\u0643"}  # ک Persian kaf → ك
_SAME |= {c: " " for c in (0x00A0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B))}
_SAME |= {c: "-" for c in (0x2010, 0x2011, 0x2012, 0x2013, 0x2212, 0xFE63, 0xFF0D)}  # dashes, minus
_SAME |= {0x0130: "i"}  # İ: its lower() would be two characters

# Deleted: they carry no letters or digits and hide inside numbers in real text.
_DELETE = "".join(
    chr(c)
    for c in (
        0x0640,  # tatweel
        *range(0x064B, 0x0660),  # harakat, tanween, shadda, sukun, hamza marks
        0x0670,  # superscript (dagger) alef
        *range(0x06D6, 0x06EE),  # Quranic annotation marks
        0x00AD,  # soft hyphen
        0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A),  # bidi
        0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF,  # zero-width
    )
)


def _compatibility_table() -> dict[str, str]:
    """Presentation forms and full-width characters, through NFKC, then folded."""
    table: dict[str, str] = {}
    for lo, hi in ((0xFB50, 0xFDFF), (0xFE70, 0xFEFC), (0xFF01, 0xFF5E)):
        for code in range(lo, hi + 1):
            ch = chr(code)
            nfkc = unicodedata.normalize("NFKC", ch)
            if nfkc == ch or code in _SAME:
                continue
            nfkc = "".join(c for c in nfkc if c not in _DELETE).translate(_SAME)
            if len(nfkc) == 1:
                _SAME[code] = nfkc
            else:
                table[ch] = nfkc
    return table


_EXPAND = _compatibility_table()  # e.g. U+FDFC RIAL SIGN → four letters, U+FEFB lam-alef → two


def _code_table() -> np.ndarray:
    """_SAME as an array indexed by code point (the Basic Multilingual Plane, where every
    character it rewrites lives)."""
    table = np.arange(0x10000, dtype=np.uint32)
    for code, ch in _SAME.items():
        table[code] = ord(ch)
    return table


_CODES = _code_table()
_ARRAY_FROM = 64  # characters: below this, numpy's fixed cost is more than str.translate's


def _one_for_one(text: str) -> str:
    """`text.translate(_SAME)`. A long text goes through an array look-up instead: translate
    asks a dict for every character (about 90 ns each, a fifth of a millisecond for an
    article), the array takes all of them at once. Lone surrogates pass through as they are.

    >>> _one_for_one("٣٬٢٠٠ " * 20) == ("٣٬٢٠٠ " * 20).translate(_SAME)
    True
    """
    if len(text) < _ARRAY_FROM:
        return text.translate(_SAME)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    mapped = np.where(codes < 0x10000, _CODES[codes & 0xFFFF], codes)
    return mapped.tobytes().decode("utf-32-le", "surrogatepass")


_CHANGING = re.compile("[" + re.escape(_DELETE + "".join(_EXPAND)) + "]")
_COMBINING = frozenset(_DELETE[: _DELETE.index("\u00ad")])  # marks that belong to the letter before


@dataclass(frozen=True, slots=True)
class Folded:
    """A folded copy of `original`; `to_original` maps folded offsets back."""

    original: str
    text: str
    # Breakpoints (folded offset, original offset): from each one on, offsets advance together.
    _folded_at: tuple[int, ...] = ()
    _original_at: tuple[int, ...] = ()

    def to_original(self, index: int) -> int:
        """Original offset of the folded character at `index` (or of the end)."""
        if index >= len(self.text):
            return len(self.original)
        k = bisect_right(self._folded_at, index) - 1
        if k < 0:
            return index
        return self._original_at[k] + index - self._folded_at[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the folded span [start, end).

        The end takes in combining marks that follow the last letter, so a span
        never cuts a letter from its diacritics.

        >>> f = fold("بلغت ١٥ ملـيونًا")
        >>> f.text
        'بلغت 15 مليونا'
        >>> s, e = f.span(5, 14); f.original[s:e]
        '١٥ ملـيونًا'
        """
        if end <= start:
            at = self.to_original(start)
            return at, at
        first = self.to_original(start)
        last = self.to_original(end - 1) + 1
        while last < len(self.original) and self.original[last] in _COMBINING:
            last += 1
        return first, last


def fold(text: str) -> Folded:
    """Fold `text` for matching; see the module docstring for what changes.

    >>> fold("١٢٫٥ مليار").text
    '12.5 مليار'
    >>> fold("أكثر من ٣٬٢٠٠ ريال").text
    'اكثر من 3,200 ريال'
    >>> fold("US$ 1.5bn").text
    'us$ 1.5bn'
    """
    folded_at: list[int] = []
    original_at: list[int] = []
    pieces: list[str] = []
    pos = fpos = 0
    for match in _CHANGING.finditer(text):
        pieces.append(text[pos : match.start()])
        fpos += match.start() - pos
        replacement = _EXPAND.get(match.group(), "")
        for k in range(len(replacement)):  # every expanded character maps to its source
            folded_at.append(fpos + k)
            original_at.append(match.start())
        pieces.append(replacement)
        fpos += len(replacement)
        pos = match.end()
        folded_at.append(fpos)
        original_at.append(pos)
    if not folded_at:
        return Folded(text, _one_for_one(text).lower())
    pieces.append(text[pos:])
    return Folded(text, _one_for_one("".join(pieces)).lower(), tuple(folded_at), tuple(original_at))


def fold_form(text: str) -> str:
    """The folded text alone, for lexicon entries and look-ups.

    >>> fold_form("إحدى عشرة")
    'احدي عشره'
    """
    if len(text) > SHORT_FORM:  # a whole article: caching it would keep every text of a run alive
        return fold(text).text
    return _fold_short(text)


SHORT_FORM = 200


@lru_cache(maxsize=65536)
def _fold_short(text: str) -> str:
    return fold(text).text
