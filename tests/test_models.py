"""The data contract: field names, JSON numbers, and schemas/ in step with the models."""

from __future__ import annotations

import json
from decimal import Decimal

from pipeline.models import Amount, Claim, EntityRef, Mention, Source, Span
from pipeline.schemas import schema_documents

from helpers import ROOT

CLAIM_KEYS = {"id", "article_id", "lang", "field", "entity", "object", "metric", "amount", "period", "time",
              "source", "modality", "evidence", "confidence", "rule", "also_at", "published", "outlet"}


def make_claim(value: Decimal) -> Claim:
    return Claim(
        id="a:t0-5", article_id="a", lang="en",
        entity=EntityRef(name="OpenAI", text="OpenAI", start=0, end=6, type="organisation"),
        metric="spending",
        amount=Amount(value=value, unit="USD", unit_raw="$", qualifier="approx", text="$15 million", start=10, end=21),
        source=Source(name="article", kind="article"),
        evidence=Span(text="x", start=0, end=1), confidence=0.9, rule="test",
    )


def test_models_claim_serialises_to_the_contract_names():
    data = json.loads(make_claim(Decimal("15") * 10**6).model_dump_json())
    assert set(data) == CLAIM_KEYS
    assert set(data["amount"]) == {"value", "min", "max", "unit", "unit_raw", "qualifier", "text", "start", "end", "cue"}
    assert set(data["entity"]) == {"name", "text", "start", "end", "type"}


def test_models_amounts_are_json_numbers_not_strings():
    data = json.loads(make_claim(Decimal("12.5") * 10**9).model_dump_json())
    assert data["amount"]["value"] == 12500000000 and isinstance(data["amount"]["value"], int)
    assert json.loads(make_claim(Decimal("1.30")).model_dump_json())["amount"]["value"] == 1.3


def test_models_mention_repeats_unit_as_currency_for_money_only():
    money = Mention(kind="money", value=Decimal(5), unit="SAR", text="5 ر.س", start=0, end=5, rule="r")
    pct = Mention(kind="percent", value=Decimal(5), unit="percent", text="5%", start=0, end=2, rule="r")
    assert money.model_dump()["currency"] == "SAR"
    assert pct.model_dump()["currency"] is None


def test_models_unknown_fields_are_rejected():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Span.model_validate({"text": "x", "start": 0, "end": 1, "extra": 1})


def test_models_schemas_folder_matches_the_models():
    expected = schema_documents()
    folder = ROOT / "schemas"
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.schema.json")}
    assert set(on_disk) == set(expected), "run `mizan schema export` (schema files added or removed)"
    for name, text in expected.items():
        assert on_disk[name] == text, f"{name} is out of date: run `mizan schema export`"
