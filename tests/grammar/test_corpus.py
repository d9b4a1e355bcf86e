"""Every example in corpora/grammar/<lang>/<ruleset>.yaml, as one parametrized test each."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.grammar import find_mentions
from pipeline.lexicons import safe_yaml

from helpers import ROOT

CORPORA = ROOT / "corpora" / "grammar"
FIELDS = ("kind", "value", "min", "max", "unit", "qualifier", "cue")


def _load() -> tuple[list, list]:
    positive, negative = [], []
    for path in sorted(CORPORA.glob("*/*.yaml")):
        lang, ruleset = path.parent.name, path.stem
        data = safe_yaml(path.read_text(encoding="utf-8")) or {}
        forbids = data.get("negative_forbids", ["money", "percent"])
        for n, example in enumerate(data.get("examples", [])):
            for item in example["texts"]:
                text, span = (item, item.strip()) if isinstance(item, str) else (item["text"], item["span"])
                positive.append(pytest.param(lang, text, span, example["expect"], id=f"{lang}/{ruleset}/{n}:{text[:30]}"))
        for text in data.get("negative", []):
            negative.append(pytest.param(lang, text, forbids, id=f"{lang}/{ruleset}/neg:{text[:30]}"))
    return positive, negative


POSITIVE, NEGATIVE = _load()


def _expected(expect: dict) -> dict:
    out = {k: None for k in FIELDS}
    out["qualifier"] = "exact"
    for key, value in expect.items():
        out[key] = Decimal(str(value)) if key in ("value", "min", "max") and value is not None else value
    return out


def _got(mention) -> dict:
    return {k: getattr(mention, k) for k in FIELDS}


@pytest.mark.parametrize("lang, text, span, expect", POSITIVE)
def test_grammar_corpus_example_parses(lang, text, span, expect):
    found = find_mentions(text, lang)
    shown = [(m.kind, m.text, str(m.value), m.unit, m.rule) for m in found]
    assert found, f"no mention at all in {text!r}"
    assert len(found) == 1, f"{len(found)} mentions in {text!r}: {shown}"
    mention = found[0]
    assert mention.text == span, f"{text!r}: mention covers {mention.text!r}, expected {span!r} ({mention.rule})"
    assert text[mention.start : mention.end] == mention.text
    assert _got(mention) == _expected(expect), f"{text!r} via {mention.rule!r}"


@pytest.mark.parametrize("lang, text, forbids", NEGATIVE)
def test_grammar_corpus_negative_yields_nothing_forbidden(lang, text, forbids):
    found = find_mentions(text, lang)
    bad = [(m.kind, m.text, str(m.value)) for m in found if "any" in forbids or m.kind in forbids]
    assert not bad, f"{text!r} must not yield {forbids}, got {bad}"


def test_grammar_corpus_files_exist_for_both_languages():
    langs = {p.parent.name for p in CORPORA.glob("*/*.yaml")}
    assert {"ar", "en"} <= langs
    assert len(POSITIVE) > 100 and len(NEGATIVE) > 20
