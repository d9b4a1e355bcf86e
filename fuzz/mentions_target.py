"""Fuzz target: the amount grammar and the extractor on arbitrary bytes.

The bytes are read twice. For the grammar, as UTF-8 with surrogateescape: a byte
that is not UTF-8 becomes a lone surrogate, as a JSON "\\udc80" escape can bring
one. For the extractor, with errors="replace", which is what ingest hands it (it
replaces lone surrogates with U+FFFD, issue I009). The first byte's low bit picks
the extractor's language; a first line followed by a blank line is the title.

The checks are those of the property tests (`pipeline/grammar/invariants.py`):
offsets inside the text and matching it, values that re-derive from their span,
no X (crash) issue, every claim grounded, the same result twice. A violation
raises, and libFuzzer saves the input as crash-<hash>.

    python fuzz/mentions_target.py -max_len=4096 -max_total_time=600 fuzz/corpus/
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["pipeline"]):
    from pipeline.grammar import find_mentions
    from pipeline.grammar.invariants import mention_problems, result_json, result_problems
    from pipeline.models import Article
    from pipeline.stages import Pipeline

_PIPELINE: list[Pipeline] = []  # built on the first input, after libFuzzer has started


def _fail(what: str, problems: list[str]) -> None:
    raise AssertionError(what + ":\n" + "\n".join(problems))


def _article(data: bytes) -> Article:
    text = data.decode("utf-8", errors="replace")
    title, blank, body = text.partition("\n\n")
    if not blank or "\n" in title:
        title, body = "", text
    return Article(id="fuzz-1", lang="en" if data[:1] and data[0] & 1 else "ar", title=title, text=body, date="2024-05-01")


def TestOneInput(data: bytes) -> None:  # noqa: N802 - the atheris convention
    text = data.decode("utf-8", errors="surrogateescape")
    for lang in ("ar", "en"):
        problems = mention_problems(text, lang, find_mentions(text, lang))
        if problems:
            _fail(f"find_mentions({text!r}, {lang!r})", problems)
    if not _PIPELINE:
        _PIPELINE.append(Pipeline())
    article = _article(data)
    result = _PIPELINE[0].process(article)
    problems = result_problems(article, result)
    if problems:
        _fail(f"Pipeline.process({article!r})", problems)
    if result_json(_PIPELINE[0].process(article)) != result_json(result):
        _fail(f"Pipeline.process({article!r})", ["a second run gave another result"])


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
