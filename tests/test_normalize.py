"""Folding keeps offsets: every span found on the folded copy maps back to the original."""

from __future__ import annotations

import pytest

from pipeline.normalize import fold


@pytest.mark.parametrize(
    "text, folded",
    [
        ("١٢٫٥ مليار", "12.5 مليار"),
        ("۱۵ میلیون", "15 ميليون"),
        ("٣٬٢٠٠", "3,200"),
        ("أإآٱ", "اااا"),
        ("مدرسة ى", "مدرسه ي"),
        ("US$ 1.5BN", "us$ 1.5bn"),
        ("10\u00a0000", "10 000"),
    ],
)
def test_normalize_folds_digits_letters_and_case(text, folded):
    assert fold(text).text == folded


@pytest.mark.parametrize(
    "text",
    ["بـ١٥ ملـيونًا", "1\u200f5 مليون", "\ufeff﷼ ٥٠", "ﻻ ١٠٪", "تُنفِقُ ١٥ مِليونَ"],
)
def test_normalize_every_folded_character_maps_inside_the_original(text):
    f = fold(text)
    for i in range(len(f.text)):
        s, e = f.span(i, i + 1)
        assert 0 <= s < e <= len(text)


def test_normalize_span_keeps_trailing_diacritics_with_their_letter():
    text = "نحو ١٥ مليونًا"
    f = fold(text)
    start = f.text.index("15")
    s, e = f.span(start, len(f.text))
    assert text[s:e] == "١٥ مليونًا"


def test_normalize_expanded_characters_map_to_their_source():
    text = "50 ﷼"
    f = fold(text)
    assert "ريال" in f.text
    s, e = f.span(f.text.index("ريال"), len(f.text))
    assert text[s:e] == "﷼"
