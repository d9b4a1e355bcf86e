"""Paragraphs, sentences and clauses, with offsets into the original text.

Paragraphs come first and cost nothing: in wire copy whose lines are wrapped
(Reuters), a paragraph starts at an indented line; elsewhere every line is a
paragraph. Sentences come from spaCy's blank pipeline with a sentencizer that
knows Arabic punctuation (؟ ؛), and only for the paragraphs that hold an amount,
so NLP is spent where claims can be. Clauses split a sentence at commas (، ,)
and semicolons; triggers are looked for in the amount's clause first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .models import Span
from .nlp import spacy

SENTENCE_PUNCT = [".", "!", "?", "\u061F", "\u061B", "\u06D4", "\u2026"]  # . ! ? ؟ ؛ ۔ …
_CLAUSE = re.compile(r"[,\u060C;\u061B:]\s|\s[-\u2013\u2014]\s")
_INDENTED = re.compile(r"\n[ \t]+\S")
_FLUSH = re.compile(r"\n\S")


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph or a sentence: [start, end) in the original text."""

    start: int
    end: int

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


def paragraphs(text: str) -> list[Block]:
    """Paragraph spans, without their surrounding whitespace.

    >>> [b for b in paragraphs("one\\ntwo")]
    [Block(start=0, end=3), Block(start=4, end=7)]
    >>> len(paragraphs("first line\\nwraps here.\\n    Second paragraph."))
    2
    """
    indented = len(_INDENTED.findall(text))
    wrapped = indented >= 1 and len(_FLUSH.findall(text)) >= 1  # some lines indented, some not
    breaks = re.compile(r"\n\s*\n|\n(?=[ \t]+\S)") if wrapped else re.compile(r"\n+")
    out: list[Block] = []
    pos = 0
    for match in breaks.finditer(text):
        _add(out, text, pos, match.start())
        pos = match.end()
    _add(out, text, pos, len(text))
    return out


def _add(out: list[Block], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        lead = len(chunk) - len(chunk.lstrip())
        out.append(Block(start + lead, start + lead + len(stripped)))


@lru_cache(maxsize=None)
def _sentencizer(lang: str):
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer", config={"punct_chars": SENTENCE_PUNCT})
    return nlp


# Arabic: a full stop glued to a word of three letters or digits or more, or to a closing
# quote or bracket, and followed by a space ends a sentence ("لعام 2014م. وأوضحت",
# "«رويترز». وأظهرت"), which spaCy's tokenizer keeps inside one token; "إل. في." does not.
_GLUED_STOP_AR = re.compile(r"(\S+)\.(?=\s)")
_CLOSING = ")]\u00bb\u201d\"'"  # ) ] » ” " '


def _ends_sentence(word: str) -> bool:
    if word[-1] in _CLOSING:
        return True
    return sum(c.isalnum() for c in word.split(".")[-1]) >= 3


def sentences(text: str, block: Block, lang: str) -> list[Block]:
    """Sentences of one paragraph; a line break inside a wrapped paragraph is not a boundary."""
    nlp = _sentencizer(lang)
    doc = nlp(text[block.start : block.end])
    out = []
    for s, e in _split_glued_stops(text, [(block.start + x.start_char, block.start + x.end_char) for x in doc.sents], lang):
        raw = text[s:e]
        lead = len(raw) - len(raw.lstrip())
        trail = len(raw) - len(raw.rstrip())
        if e - trail > s + lead:
            out.append(Block(s + lead, e - trail))
    return out or [block]


def _split_glued_stops(text: str, spans: list[tuple[int, int]], lang: str) -> list[tuple[int, int]]:
    """Split spaCy's sentences again at the full stops it leaves inside a token (Arabic only)."""
    if lang != "ar":
        return spans
    out = []
    for s, e in spans:
        for match in _GLUED_STOP_AR.finditer(text, s, e):
            if _ends_sentence(match.group(1)) and match.end() < e:
                out.append((s, match.end()))
                s = match.end()
        out.append((s, e))
    return out


def clauses(text: str, block: Block) -> list[Block]:
    """Clauses of a sentence: split at commas, semicolons, colons and dashes."""
    out = []
    pos = block.start
    for match in _CLAUSE.finditer(text, block.start, block.end):
        if match.start() > pos:
            out.append(Block(pos, match.start()))
        pos = match.end()
    if block.end > pos:
        out.append(Block(pos, block.end))
    return out or [block]


def span_of(text: str, block: Block) -> Span:
    return Span(text=text[block.start : block.end], start=block.start, end=block.end)
