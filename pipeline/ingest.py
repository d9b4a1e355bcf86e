"""Ingest: JSONL files of articles, plain-text files and folders of them -> Article.

Every input record comes out as exactly one `Ingested`: an `Article`, or the
reason it could not be read (invalid JSON on line N, not UTF-8, empty text),
so that a run can account for every record it was given.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from pydantic import ValidationError

from .errors import InputError, issue
from .models import Article, Issue

ARTICLE_SUFFIXES = (".jsonl", ".txt")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_KNOWN_FIELDS = set(Article.model_fields) - {"content_hash", "origin"}


@dataclass(frozen=True)
class Ingested:
    """One input record: the article, or why it could not be read."""

    origin: str
    article: Article | None = None
    issue: Issue | None = None

    @property
    def ok(self) -> bool:
        return self.article is not None


def detect_language(text: str) -> str | None:
    """'ar' when Arabic letters outnumber Latin ones, 'en' otherwise; None without letters.

    >>> detect_language("أعلنت شركة OpenAI أنها تنفق 15 مليون دولار"), detect_language("Revs 15.2 mln dlrs")
    ('ar', 'en')
    """
    arabic = len(_ARABIC.findall(text))
    latin = len(_LATIN.findall(text))
    if arabic == latin == 0:
        return None
    return "ar" if arabic >= latin else "en"


def content_hash(title: str, text: str) -> str:
    """A stable hash of what an article says (NFC, whitespace folded), for skipping re-runs."""
    norm = " ".join(unicodedata.normalize("NFC", f"{title}\n{text}").split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def finish(article: Article) -> Article:
    """Fill in what ingest derives: the language when absent and the content hash."""
    updates: dict[str, object] = {}
    if article.lang is None:
        updates["lang"] = detect_language(f"{article.title}\n{article.text}")
    if article.content_hash is None:
        updates["content_hash"] = content_hash(article.title, article.text)
    return article.model_copy(update=updates) if updates else article


def expand_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files to read, folders expanded (sorted, so runs are repeatable); a missing path raises."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in ARTICLE_SUFFIXES)
            if not found:
                raise InputError(f"{path}: folder holds no .jsonl or .txt files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return files


def read_inputs(paths: Iterable[str | Path]) -> Iterator[Ingested]:
    """Every record of every input, in order."""
    for path in expand_inputs(paths):
        if path.suffix == ".txt":
            yield read_text_file(path)
        else:
            yield from read_jsonl(path)


def read_text_file(path: Path) -> Ingested:
    """A .txt file is one article: the first line is its title when a blank line follows it."""
    origin = str(path)
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        return Ingested(origin, issue=issue("I007", "ingest", path=path, error=_utf8_error(err)))
    except OSError as err:
        return Ingested(origin, issue=issue("I008", "ingest", path=path, error=err.strerror or err))
    title, text = "", raw.strip("\ufeff")
    head, sep, rest = text.partition("\n\n")
    if sep and "\n" not in head.strip() and len(head) < 300:
        title, text = head.strip(), rest
    return _article({"id": path.stem, "title": title, "text": text.strip()}, origin)


def read_jsonl(path: Path) -> Iterator[Ingested]:
    """One article per line; blank lines are skipped, bad lines become failures."""
    try:
        handle = path.open("rb")
    except OSError as err:
        raise InputError(f"{path}: {err.strerror or err}") from err
    with handle:
        for number, raw in enumerate(handle, start=1):
            origin = f"{path}:{number}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield Ingested(origin, issue=issue("I007", "ingest", path=origin, error=_utf8_error(err)))
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                yield Ingested(origin, issue=issue("I001", "ingest", line=number, error=err.msg))
                continue
            if not isinstance(record, dict):
                yield Ingested(origin, issue=issue("I002", "ingest", line=number, error="expected a JSON object"))
                continue
            yield _article(record, origin, number)


def _article(record: dict, origin: str, line: int | None = None) -> Ingested:
    fields = {k: v for k, v in record.items() if k in _KNOWN_FIELDS}
    fields.setdefault("id", f"{Path(origin.rsplit(':', 1)[0]).stem}-{line}" if line else None)
    try:
        article = Article.model_validate({**fields, "origin": origin})
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return Ingested(origin, issue=issue("I002", "ingest", line=line or 0, error=f"{where}: {first['msg']}"))
    if not article.text.strip():
        return Ingested(origin, issue=issue("I003", "ingest", article=article.id))
    article = finish(article)
    if article.lang is None:
        return Ingested(origin, issue=issue("I004", "ingest"))
    return Ingested(origin, article=article)


def _utf8_error(err: UnicodeDecodeError) -> str:
    return f"byte {err.object[err.start]:#04x} at offset {err.start}"
