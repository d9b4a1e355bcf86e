"""Fuzz target: the bytes-level ingest entry points never let an exception escape.

The first byte picks the entry point (a JSONL line, a feed document, an HTML
page, or bytes sniffed as either); the rest is the input. Every result must be
an `Ingested` holding an article or an issue (never both, never neither), no
issue may be an X crash code (ingest turns its own crashes into X000), and every
article must be writable as UTF-8 JSON.

    python fuzz/ingest_target.py -max_total_time=300 -max_len=65536
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from pipeline.ingest import Ingested, read_document, read_jsonl_line


def _ingest(data: bytes) -> list[Ingested]:
    mode, body = (data[0] % 4, data[1:]) if data else (0, b"")
    if mode == 0:
        item = read_jsonl_line(body, "fuzz.jsonl:1", 1)
        return [] if item is None else [item]
    hint = {1: "feed", 2: "page", 3: ""}[mode]
    return list(read_document(body, "fuzz", hint=hint))


def TestOneInput(data: bytes) -> None:  # noqa: N802 - the atheris convention
    for item in _ingest(data):
        if not isinstance(item, Ingested) or (item.article is None) == (item.issue is None):
            raise AssertionError(f"not exactly one of article and issue: {item!r}")
        if item.issue is not None and item.issue.code.startswith("X"):
            raise AssertionError(f"ingest crashed inside: {item.issue.message}")
        if item.article is not None:
            item.article.model_dump_json().encode("utf-8")


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
