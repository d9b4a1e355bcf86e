"""Entities: a gazetteer run through spaCy's SpanRuler, plus an optional local NER model.

The gazetteer (`lexicons/entities.yaml`) maps names as articles write them, in
either script, to one canonical name. Arabic is matched on the folded copy of
the text (alef and yaa variants, diacritics and tatweel gone), with each form
also registered behind the proclitics that glue onto names (وأبل، لموبايلي);
English is matched case-insensitively on the text itself. Company patterns catch
names the gazetteer lacks: «X» after شركة/مجموعة, and "X Inc", "X Corp" ...

The optional statistical backend loads a Hugging Face token-classification model
from a local folder laid out like camel-tools' NERecognizer models (config.json
with ANERcorp labels, weights, vocab.txt). It never downloads: camel-tools' own
`camel_tools.ner` module is not imported because importing it fetches a data
catalogue from the network.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from pydantic import BaseModel, ConfigDict, Field

from . import lexicons
from .errors import ConfigError
from .nlp import spacy
from .normalize import fold, fold_form

ENTITY_TYPES = ("organisation", "product", "person", "outlet", "country", "index", "other")


class GazetteerEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    type: str = Field(pattern="^(" + "|".join(ENTITY_TYPES) + ")$")
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    forms: list[str] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Found:
    """An entity mention: canonical name and type, offsets into the original text."""

    name: str
    type: str
    start: int
    end: int
    text: str
    how: str  # "gazetteer", "pattern" or "ner"
    country: str | None = None


@lru_cache(maxsize=None)
def gazetteer() -> tuple[GazetteerEntry, ...]:
    path = lexicons.LEXICONS / "entities.yaml"
    return tuple(lexicons.load_list(path, GazetteerEntry))


@lru_cache(maxsize=None)
def by_name() -> dict[str, GazetteerEntry]:
    return {entry.name: entry for entry in gazetteer()}


@lru_cache(maxsize=None)
def canonical_names() -> dict[str, str]:
    """Every folded form and name -> canonical name (the scorer's alias table)."""
    table: dict[str, str] = {}
    for entry in gazetteer():
        for form in (entry.name, *entry.forms):
            table.setdefault(fold_form(form), entry.name)
    return table


class EntityFinder:
    """Finds entities in one language; build once, reuse for every article."""

    def __init__(self, lang: str, ner_model: Path | None = None):
        self.lang = lang
        self.nlp = spacy.blank(lang)
        attr = "ORTH" if lang == "ar" else "LOWER"
        ruler = self.nlp.add_pipe("span_ruler", config={"spans_key": "entities", "phrase_matcher_attr": attr, "overwrite": True})
        self._entries = gazetteer()
        ruler.add_patterns(list(self._patterns()))
        self._companies = lexicons.load_model(lexicons.lang_dir(lang) / "companies.yaml", CompanyPatterns)
        self._company_regexes = self._companies.compiled()  # once: they are built from word lists
        self.ner = LocalNER(ner_model) if ner_model is not None else None

    def _patterns(self) -> Iterable[dict]:
        proclitics = [""] + ([fold_form(c) for c in lexicons.clitics(self.lang).proclitics] if self.lang == "ar" else [])
        for index, entry in enumerate(self._entries):
            for form in {fold_form(f) if self.lang == "ar" else f.lower() for f in (entry.name, *entry.forms)}:
                for clitic in proclitics:
                    glued = _glue(clitic, form)
                    if glued is not None:
                        yield {"label": entry.type, "pattern": glued[0], "id": f"{index}|{glued[1]}"}

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Found]:
        """Entities in text[start:end], offsets into `text`, left to right, not overlapping."""
        end = len(text) if end is None else end
        chunk = text[start:end]
        folded = fold(chunk) if self.lang == "ar" else None
        doc = self.nlp((folded.text if folded is not None else chunk).replace("\n", " "))  # a name wrapped over two lines
        found: list[Found] = []
        for span in doc.spans["entities"]:
            index, clitic = (int(x) for x in span.id_.split("|"))
            entry = self._entries[index]
            s, e = span.start_char + clitic, span.end_char
            if folded is not None:
                s, e = folded.span(s, e)
            found.append(Found(entry.name, entry.type, start + s, start + e, chunk[s:e], "gazetteer", entry.country))
        found.extend(self._company_patterns(text, start, end, found))
        if self.ner is not None:
            found.extend(self.ner.find(text, start, end, found))
        return _without_overlaps(found)

    def _company_patterns(self, text: str, start: int, end: int, known: list[Found]) -> list[Found]:
        """Names the gazetteer lacks: a quoted name after a company noun, X Inc, X Corp."""
        out = []
        taken = [(f.start, f.end) for f in known]
        for pattern in self._company_regexes:
            for m in pattern.finditer(text, start, end):
                s, e = m.span("name")
                name = m.group("name").strip()
                if not name or any(a < e and s < b for a, b in taken):
                    continue
                canonical = canonical_names().get(fold_form(name), name)
                entry = by_name().get(canonical)
                out.append(Found(canonical, entry.type if entry else "organisation", s, e, text[s:e], "pattern", entry.country if entry else None))
                taken.append((s, e))
        return out


_ARTICLE = "\u0627\u0644"  # ال, the Arabic definite article
_LAM = "\u0644"  # ل


def _glue(clitic: str, form: str) -> tuple[str, int] | None:
    """A name form behind a proclitic, and how many letters of the match are the clitic.

    A proclitic that ends in the article (ال، وال، بال، لل) only fronts a name that has the
    article itself, and takes its place: 'الاتصالات' is not Etisalat (اتصالات), but
    'للاتصالات السعودية' is STC (الاتصالات السعودية).
    """
    if clitic.endswith(_ARTICLE) or clitic.endswith(_LAM + _LAM):
        if not form.startswith(_ARTICLE):
            return None
        bare = form[len(_ARTICLE):]
        if clitic.endswith(_LAM + _LAM):  # ل + ال is written لل
            return clitic + bare, len(clitic) - 1
        return clitic + bare, len(clitic) - len(_ARTICLE)
    return clitic + form, len(clitic)


def _without_overlaps(found: list[Found]) -> list[Found]:
    """Longest first on overlap; the gazetteer beats a pattern, a pattern beats NER."""
    rank = {"gazetteer": 0, "pattern": 1, "ner": 2}
    chosen: list[Found] = []
    for f in sorted(found, key=lambda f: (rank[f.how], -(f.end - f.start), f.start)):
        if all(f.end <= c.start or c.end <= f.start for c in chosen):
            chosen.append(f)
    return sorted(chosen, key=lambda f: f.start)


class CompanyPatterns(BaseModel):
    """`lexicons/<lang>/companies.yaml`: words that announce a company name."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    quoted_after: list[str] = []  # a company noun, then a quoted name
    legal_suffixes: list[str] = []  # X Inc, X Corp
    name_endings: list[str] = []  # X Group, X Laboratories
    company_nouns: list[str] = []  # "the company", الشركة: the article's subject
    company_words: list[str] = []  # شركة before a name
    not_subject_after: list[str] = []  # من شركة زين: a complement, not the subject
    preposition_clitics: list[str] = []
    subsidiary_over_group: str = "when_more_frequent"
    pronouns: dict[str, str] = {}  # "it" -> organisation: a subject pronoun and what it stands for

    def compiled(self) -> list[re.Pattern]:
        out = []
        if self.quoted_after:
            nouns = "|".join(re.escape(n) for n in self.quoted_after)
            out.append(re.compile(rf"(?:{nouns})\s*[«\"“](?P<name>[^»\"”\n]{{2,40}})[»\"”]"))
        if self.legal_suffixes:  # the suffix is not part of the name: Atari Corp -> Atari
            sufs = "|".join(re.escape(s) for s in self.legal_suffixes)
            out.append(re.compile(rf"\b(?P<name>(?:[A-Z][\w&'.-]*\s){{0,3}}[A-Z][\w&'.-]*)\s(?:{sufs})\b"))
        if self.name_endings:  # the ending is part of the name: Hartford Insurance Group
            ends = "|".join(re.escape(s) for s in self.name_endings)
            out.append(re.compile(rf"\b(?P<name>(?:[A-Z][\w&'.-]*\s){{1,3}}(?:{ends}))\b"))
        return out


class LocalNER:
    """A token-classification model loaded from a local folder; ORG and PERS spans only.

    The folder is laid out like camel-tools' NERecognizer models: config.json whose
    id2label is the ANERcorp tag set (B-ORG, I-PERS, ... O), the weights, vocab.txt.
    Text longer than the model's positions is read in windows cut between words.
    """

    LABELS = {"ORG": "organisation", "PERS": "person", "PER": "person"}

    def __init__(self, path: Path):
        self.path = Path(path)
        self.pipe, self.tokenizer, self.max_tokens = _load_ner(str(self.path.resolve()))

    def find(self, text: str, start: int, end: int, known: list[Found]) -> list[Found]:
        """ORG and PERS spans of text[start:end], offsets into `text`, names as written
        unless the gazetteer knows the form (overlaps are settled by the caller)."""
        out = []
        for a, b in self._windows(text, start, end):
            for item in self.pipe(text[a:b]):
                label = self.LABELS.get(str(item.get("entity_group", "")).split("-")[-1])
                if label is None or item.get("start") is None:
                    continue
                s, e = a + int(item["start"]), a + int(item["end"])
                surface = text[s:e].strip()
                if not surface:
                    continue
                s += len(text[s:e]) - len(text[s:e].lstrip())
                e = s + len(surface)
                written = " ".join(surface.split())  # a name wrapped over two lines
                name = canonical_names().get(" ".join(fold_form(surface).split()), written)
                out.append(Found(name, label, s, e, surface, "ner"))
        return out

    def _windows(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """[a, b) pieces of text[start:end] of at most `max_tokens` word pieces, cut where a
        word begins, so that no piece overruns the model's position embeddings."""
        offsets = [o for o in self.tokenizer(text[start:end], add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"] if o[1] > o[0]]
        if len(offsets) <= self.max_tokens:
            return [(start, end)]
        out = []
        first = 0
        while first < len(offsets):
            last = min(first + self.max_tokens, len(offsets))  # window = pieces [first, last)
            if last < len(offsets):
                cut = last
                while cut > first + 1 and not text[start + offsets[cut][0] - 1].isspace():
                    cut -= 1  # back to the first piece of a word
                last = cut if cut > first + 1 else last
            b = start + offsets[last][0] if last < len(offsets) else end
            out.append((start + offsets[first][0], b))
            first = last
        return out


@lru_cache(maxsize=4)
def _load_ner(folder: str):
    """(pipeline, tokenizer, word pieces per window) of a local NER model folder, loaded once
    per process (the Arabic and English entity finders share it). Anything missing or
    unreadable is a `ConfigError` naming the folder."""
    path = Path(folder)
    if not path.is_dir():
        raise ConfigError(f"NER model folder {path} does not exist")
    config = path / "config.json"
    if not config.is_file():
        raise ConfigError(f"NER model folder {path} has no config.json (expected a camel-tools NERecognizer layout)")
    try:
        labels = json.loads(config.read_text(encoding="utf-8")).get("id2label")
    except (ValueError, AttributeError) as err:
        raise ConfigError(f"{config}: not a JSON object ({err})") from err
    if not isinstance(labels, dict) or not labels:
        raise ConfigError(f"{config} has no id2label (expected ANERcorp labels: B-ORG, I-ORG, B-PERS, I-PERS, ..., O)")
    if not any(str(v).split("-")[-1] in LocalNER.LABELS for v in labels.values()):
        raise ConfigError(f"{config}: id2label has no ORG or PERS label ({', '.join(map(str, list(labels.values())[:6]))})")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline
    except ImportError as err:  # pragma: no cover - transformers is a core dependency
        raise ConfigError(f"transformers is not installed: {err}") from err
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        model = AutoModelForTokenClassification.from_pretrained(str(path), local_files_only=True)
    except Exception as err:  # missing weights or vocab, a broken file: all the same to the user
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ConfigError(f"cannot load the NER model in {path}: {reason}") from err
    if not getattr(tokenizer, "is_fast", False):
        raise ConfigError(f"NER model in {path}: its tokenizer gives no character offsets (a fast tokenizer is needed)")
    # a tokenizer with no model_max_length reports a huge sentinel: the positions decide
    sizes = [getattr(model.config, "max_position_embeddings", None), getattr(tokenizer, "model_max_length", None)]
    limit = min((n for n in sizes if isinstance(n, int) and 0 < n < 100_000), default=512)
    pipe = pipeline("token-classification", model=model, tokenizer=tokenizer, aggregation_strategy="simple", device=-1)
    return pipe, tokenizer, max(8, limit - 2)  # room for [CLS] and [SEP]
