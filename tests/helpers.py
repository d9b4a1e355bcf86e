"""Shared test helpers: where the repository and `../shared` are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "corpora" / "sample" / "articles.jsonl"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; the calling test is skipped when it is absent (a user's clone)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared exists only on the team's machines and CI)")
    return path
