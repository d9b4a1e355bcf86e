"""The amount grammar: numbers, ordinals, percentages and money in Arabic and English."""

from __future__ import annotations

from ..models import Mention
from .money import AmountReader


def find_mentions(text: str, lang: str) -> list[Mention]:
    """Every amount in `text`, left to right, with offsets into `text` itself.

    >>> [(m.kind, m.value, m.unit) for m in find_mentions("تنفق نحو ١٥ مليون دولار يوميا", "ar")]
    [('money', Decimal('15000000'), 'USD')]
    """
    return AmountReader(text, lang).mentions()


__all__ = ["find_mentions"]
