"""JSON Schemas of the output models, as analysts receive them (serialization mode)."""

from __future__ import annotations

import json
from pathlib import Path

from .models import OUTPUT_MODELS


def schema_documents() -> dict[str, str]:
    """File name -> schema text, for every output model."""
    out = {}
    for name, model in sorted(OUTPUT_MODELS.items()):
        schema = model.model_json_schema(mode="serialization")
        out[f"{name}.schema.json"] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return out


def export_schemas(folder: Path) -> list[Path]:
    """Write every schema into `folder`; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_documents().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
