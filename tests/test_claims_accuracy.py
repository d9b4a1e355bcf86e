"""The accuracy floor of claim extraction, scored as `mizan eval claims` scores it.

Real dev articles (../shared/corpora-real/dev, not ours to copy) against
corpora/gold/real: F1 >= 0.85 and strict F1 (entity, metric and period right too)
>= 0.70 per language, the issue's bar. The embedded sample against
corpora/gold/sample: F1 >= 0.90 per language. A drop below a floor names the
figures, so whoever caused it sees by how much.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT, SAMPLE, shared_path

from pipeline.evaluate import ClaimScore, score_claims

GOLD = ROOT / "corpora" / "gold"
LANGS = ("ar", "en")


def gold_files(folder: Path, lang: str) -> int:
    return len(list((folder / lang).glob("*.json")))


@pytest.fixture(scope="module")
def real_scores() -> dict[str, ClaimScore]:
    dev = shared_path("corpora-real", "dev")
    return score_claims(sorted(dev.glob("*.jsonl")), GOLD / "real")


@pytest.fixture(scope="module")
def sample_scores() -> dict[str, ClaimScore]:
    return score_claims([SAMPLE], GOLD / "sample")


def figures(score: ClaimScore) -> str:
    row = score.as_dict()
    return f"{score.lang}: P {row['precision']:.3f} R {row['recall']:.3f} F1 {row['f1']:.3f} strict F1 {row['strict_f1']:.3f}"


@pytest.mark.parametrize("lang", LANGS)
def test_claims_accuracy_real_dev_scores_every_gold_article(real_scores, lang):
    assert lang in real_scores, f"no {lang} gold article was found among the dev articles"
    assert real_scores[lang].articles == gold_files(GOLD / "real", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_claims_accuracy_real_dev_f1_floor(real_scores, lang):
    score = real_scores[lang]
    assert score.prf(score.matched)[2] >= 0.85, figures(score)


@pytest.mark.parametrize("lang", LANGS)
def test_claims_accuracy_real_dev_strict_f1_floor(real_scores, lang):
    score = real_scores[lang]
    assert score.prf(score.strict)[2] >= 0.70, figures(score)


@pytest.mark.parametrize("lang", LANGS)
def test_claims_accuracy_sample_f1_floor(sample_scores, lang):
    assert lang in sample_scores and sample_scores[lang].articles == gold_files(GOLD / "sample", lang)
    score = sample_scores[lang]
    assert score.prf(score.matched)[2] >= 0.90, figures(score)
