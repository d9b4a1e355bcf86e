"""The amount grammar: numbers, ordinals, percentages and money in Arabic and English."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from ..models import Mention
from .money import AmountReader


def find_mentions(text: str, lang: str) -> list[Mention]:
    """Every amount in `text`, left to right, with offsets into `text` itself.

    >>> [(m.kind, m.value, m.unit) for m in find_mentions("تنفق نحو ١٥ مليون دولار يوميا", "ar")]
    [('money', Decimal('15000000'), 'USD')]
    """
    return AmountReader(text, lang).mentions()


__all__ = ["find_mentions"]


@lru_cache(maxsize=8192)  # the same few wordings ("1.5 billion dollars") recur across a feed; Decimals are immutable
def resolution(text: str, lang: str) -> Decimal | None:
    """Half the unit of the last digit an amount was written with: the rounding it allows.

    "5.4 مليارات" was rounded to a tenth of a billion, so it covers ±0.05 billion;
    "15 million" covers ±0.5 million; "27%" ±0.5.

    >>> float(resolution("5.4 مليارات دولار", "ar")), float(resolution("15 million dollars", "en"))
    (50000000.0, 500000.0)
    """
    reader = AmountReader(text, lang)
    reader.mentions()
    if not reader.amounts:
        return None
    amount = reader.amounts[0]
    numerals = [t for t in reader.tokens[amount.start : amount.end] if t.kind == "num" and t.value is not None]
    value = amount.value if amount.value is not None else amount.maximum
    if not numerals and amount.scale is not None and value is not None and (value / amount.scale) % 1:
        return abs(value) / 20  # "نصف تريليون", "half a billion": a round figure, good to about 5 %
    unit = Decimal(1).scaleb(numerals[-1].value.as_tuple().exponent) if numerals else Decimal(1)
    if amount.scale is not None:
        unit *= amount.scale
    if amount.subunit:
        unit /= 100  # 12 cts was written to the cent
    return unit / 2
