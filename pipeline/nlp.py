"""spaCy, imported without torch.

thinc (spaCy's machine-learning layer) imports torch whenever torch is installed, and
camel-tools makes sure it is: 1.7 s and 240 MB in every process that loads spaCy,
workers included, though the blank pipelines Mizan builds (tokenizer, sentencizer,
SpanRuler) never touch it. While spaCy is first imported, `import torch` fails, so thinc
records that it has no torch; torch stays importable afterwards (the optional NER backend
loads it through transformers). When torch is already loaded there is nothing to save.
"""

from __future__ import annotations

import sys


def _import_spacy():
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # a None entry makes `import torch` raise ImportError
    try:
        import spacy
    finally:
        del sys.modules["torch"]
    return spacy


spacy = _import_spacy()

__all__ = ["spacy"]
