"""Ingest: JSONL, plain text, RSS/Atom feeds, HTML pages and http(s) URLs -> Article.

Every input record comes out as exactly one `Ingested`: an `Article`, or the
reason it could not be read (invalid JSON on line N, not UTF-8, empty text, a
refused XML entity, a URL over its size cap ...), so that a run can account for
every record it was given. A source that fails as a whole (a URL that cannot be
fetched, a feed that is not one) is one `Ingested` whose origin is that source;
a feed entry that fails is one `Ingested` with origin `<feed>#entry-N`.

Input is treated as hostile: URLs are fetched by `pipeline.fetch` within caps,
XML is checked by `defusedxml` before feedparser sees it (no entity is ever
expanded and no DTD or external entity is ever read), charsets that lie are
second-guessed, and a feed never makes ingest crawl: an entry that carries only a
link is reported (I023) unless `fetch_pages=True`.
"""

from __future__ import annotations

import codecs
import email.utils
import hashlib
import io
import json
import logging
import re
import unicodedata
import xml.sax
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

from pydantic import ValidationError

from .errors import InputError, issue
from .fetch import FetchError, FetchLimits, check_scheme, fetch
from .models import Article, Issue

log = logging.getLogger(__name__)

FEED_SUFFIXES = (".xml", ".rss", ".atom")
PAGE_SUFFIXES = (".html", ".htm")
ARTICLE_SUFFIXES = (".jsonl", ".txt", *FEED_SUFFIXES, *PAGE_SUFFIXES)
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_KNOWN_FIELDS = set(Article.model_fields) - {"content_hash", "origin"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: "C:" is a drive


@dataclass(frozen=True)
class Ingested:
    """One input record: the article (with `notes` on what was repaired), or why it could not be read."""

    origin: str
    article: Article | None = None
    issue: Issue | None = None
    notes: tuple[Issue, ...] = ()

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


def choose_language(declared: str | None, text: str) -> str | None:
    """The declared language (ar/en) unless the script plainly says otherwise, else the detected one.

    Feeds often carry a CMS default (`en-US` over Arabic text), so a declaration
    loses when the other script has more than twice as many letters.

    >>> choose_language("ar-SA", "أرباح Apple"), choose_language("en-US", "أعلنت الشركة أرباحا"), choose_language("fr", "Profit")
    ('ar', 'ar', 'en')
    """
    lang = (declared or "").strip().lower().replace("_", "-").split("-")[0]
    if lang not in ("ar", "en"):
        return detect_language(text)
    arabic, latin = len(_ARABIC.findall(text)), len(_LATIN.findall(text))
    ours, theirs = (arabic, latin) if lang == "ar" else (latin, arabic)
    return lang if theirs <= 2 * ours else ("en" if lang == "ar" else "ar")


def content_hash(title: str, text: str) -> str:
    """A stable hash of what an article says (NFC, whitespace folded), for skipping re-runs."""
    norm = " ".join(unicodedata.normalize("NFC", f"{title}\n{text}").split())
    return hashlib.sha256(norm.encode("utf-8", "replace")).hexdigest()


def finish(article: Article) -> Article:
    """Fill in what ingest derives: the language when absent and the content hash."""
    updates: dict[str, object] = {}
    if article.lang is None:
        updates["lang"] = detect_language(f"{article.title}\n{article.text}")
    if article.content_hash is None:
        updates["content_hash"] = content_hash(article.title, article.text)
    return article.model_copy(update=updates) if updates else article


def is_url(source: str | Path) -> bool:
    """True for 'https://…', 'ftp://…', 'file:…', 'data:…' (anything with a scheme); False for paths.

    >>> is_url("https://example.com/feed"), is_url("file:///etc/passwd"), is_url("corpora/a.jsonl")
    (True, True, False)
    """
    if not isinstance(source, str) or not _URL_LIKE.match(source):
        return False
    try:
        return not Path(source).exists()  # a local file may have a colon in its name
    except (OSError, ValueError):
        return True


# --- sources ------------------------------------------------------------------------------------


def expand_inputs(paths: Iterable[str | Path]) -> list[Path | str]:
    """Files to read (folders expanded, sorted so runs are repeatable) and URLs as given; a missing path raises."""
    sources: list[Path | str] = []
    for raw in paths:
        if is_url(raw):
            sources.append(str(raw))
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
            if not found:
                raise InputError(f"{path}: folder holds no {', '.join(ARTICLE_SUFFIXES)} files")
            sources.extend(found)
        elif path.is_file():
            sources.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return sources


def read_inputs(
    paths: Iterable[str | Path], *, fetch_pages: bool = False, limits: FetchLimits | None = None,
) -> Iterator[Ingested]:
    """Every record of every input, in order.

    `fetch_pages=True` fetches the page of a feed entry that has a link but no
    text (off by default: a feed run must not crawl). `limits` caps every fetch
    and every local feed or page file (10 MB, 10 s per read, 30 s in all, 5 redirects).
    """
    limits = limits or FetchLimits()
    for source in expand_inputs(paths):
        if isinstance(source, str):
            yield from _guarded(source, lambda: read_url(source, fetch_pages=fetch_pages, limits=limits))
        elif source.suffix.lower() == ".txt":
            yield read_text_file(source)
        elif source.suffix.lower() != ".jsonl" and _document_kind(source) is not None:
            yield from _guarded(str(source), lambda: read_document_file(source, fetch_pages=fetch_pages, limits=limits))
        else:
            yield from read_jsonl(source)


def _guarded(origin: str, produce: Any) -> Iterator[Ingested]:
    """A bug in a parser must not end the run: the source becomes one X000 failure (logged)."""
    try:
        yield from produce()
    except Exception as err:  # noqa: BLE001 - a bug, not a data condition
        log.exception("ingest crashed on %s", origin)
        yield Ingested(origin, issue=issue("X000", "ingest", where="ingest", error=repr(err)[:300]))


def read_url(url: str, *, fetch_pages: bool = False, limits: FetchLimits | None = None) -> Iterator[Ingested]:
    """Fetch a feed or a page (told apart by Content-Type and by sniffing) and read it."""
    try:
        got = fetch(url, limits)
    except FetchError as err:
        yield Ingested(url, issue=issue(err.code, "ingest", **err.fields))
        return
    yield from read_document(got.body, url, content_type=got.content_type, charset=got.charset, url=got.url,
                             fetch_pages=fetch_pages, limits=limits)


def read_document_file(path: Path, *, fetch_pages: bool = False, limits: FetchLimits | None = None) -> Iterator[Ingested]:
    """A local feed (.xml .rss .atom) or page (.html .htm), or a file sniffed as one."""
    limits = limits or FetchLimits()
    try:
        if path.stat().st_size > limits.max_bytes:
            yield Ingested(str(path), issue=issue("I014", "ingest", url=path, limit=limits.max_bytes))
            return
        data = path.read_bytes()
    except OSError as err:
        yield Ingested(str(path), issue=issue("I008", "ingest", path=path, error=err.strerror or err))
        return
    suffix = path.suffix.lower()
    hint = "feed" if suffix in FEED_SUFFIXES else "page" if suffix in PAGE_SUFFIXES else ""
    yield from read_document(data, str(path), hint=hint, fetch_pages=fetch_pages, limits=limits)


def read_document(
    data: bytes, origin: str, *, content_type: str = "", charset: str | None = None, url: str | None = None,
    hint: str = "", fetch_pages: bool = False, limits: FetchLimits | None = None,
) -> Iterator[Ingested]:
    """Bytes of a feed or an HTML page: what they look like first, then what they were said to be."""
    kind = sniff_kind(data) or _kind_of_type(content_type) or hint
    if kind == "feed":
        yield from read_feed(data, origin, charset=charset, url=url, fetch_pages=fetch_pages, limits=limits)
    elif kind == "page":
        yield read_page(data, origin, charset=charset, url=url)
    else:
        yield Ingested(origin, issue=issue("I025", "ingest", where=origin, kind=content_type or "unknown content"))


# --- what a document is ---------------------------------------------------------------------------

_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
               "text/xml", "application/x-rss+xml", "application/feed+xml"}
_PAGE_TYPES = {"text/html", "application/xhtml+xml"}
_PROLOG_NOISE = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.S)
_FIRST_TAG = re.compile(r"<(!doctype\s+html|[A-Za-z][\w.:-]*)", re.I)
_FEED_ROOTS = {"rss", "feed", "rdf", "channel"}
_PAGE_ROOTS = {"html", "head", "body"}


def sniff_kind(data: bytes) -> str | None:
    """'feed' or 'page' from the first element of the document, None when it does not say.

    >>> sniff_kind(b'<?xml version="1.0"?><rss version="2.0">'), sniff_kind(b"<!DOCTYPE html><html>"), sniff_kind(b"{}")
    ('feed', 'page', None)
    """
    head = _text_head(data)
    at = 0
    while (m := _PROLOG_NOISE.match(head, at)) is not None and m.end() > at:
        at = m.end()
    if not head.startswith("<", at):
        return None
    m = _FIRST_TAG.search(head, at)  # past a DOCTYPE: "<!" never matches a tag name
    if m is None:
        return None
    name = m.group(1).lower().split(":")[-1]
    if name in _FEED_ROOTS:
        return "feed"
    return "page" if name in _PAGE_ROOTS or name.startswith("!doctype") else None


def _text_head(data: bytes) -> str:
    head = data[:8192]
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return head[len(bom):].decode(codec, "replace")
    return head.decode("latin-1")


def _kind_of_type(content_type: str) -> str:
    if content_type in _FEED_TYPES:
        return "feed"
    return "page" if content_type in _PAGE_TYPES else ""


def _document_kind(path: Path) -> str | None:
    """How a local file is read: by suffix, else by its first element; None means JSONL."""
    suffix = path.suffix.lower()
    if suffix in FEED_SUFFIXES:
        return "feed"
    if suffix in PAGE_SUFFIXES:
        return "page"
    try:
        with path.open("rb") as handle:
            return sniff_kind(handle.read(8192))
    except OSError:
        return None  # read_jsonl reports it


# --- bytes to text -------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),  # before UTF-16: same first bytes
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(
    rb"""<\?xml[^>]{0,200}?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})"""
    rb"""|<meta\b[^>]{0,400}?\bcharset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.I)
# Codecs a web page may name; others (unicode_escape, punycode, utf-7 ...) can forge
# surrogates or cost quadratic time, so a declaration naming them is ignored.
_WEB_CODECS = re.compile(r"^(utf[-_]?(8|16|32)|cp\d+|iso8859|latin|ascii|koi8|mac[-_]|shift_jis|euc|gb|big5|hz|iso2022|johab|tis)")
_MULTIBYTE_UTF8 = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_MESSY = 0.2  # charset_normalizer's own threshold of "this decoding is garbage"


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    replaced: int  # undecodable byte sequences turned into U+FFFD


def decode_document(data: bytes, declared: str | None = None) -> Decoded:
    """Bytes to text: by BOM, then valid UTF-8, then a declared charset that reads
    plausibly (the header's, then the document's own), then charset sniffing;
    undecodable bytes become U+FFFD and are counted, never raised."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _lenient(data[len(bom):], codec)
    try:
        return Decoded(data.decode("utf-8"), "utf-8", 0)
    except UnicodeDecodeError:
        pass
    for name in (declared, *_declared_in(data)):
        codec = _web_codec(name)
        if codec and codec != "utf-8":
            try:
                text = data.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
            if _plausible(text):
                return Decoded(text, codec, 0)
    if _mostly_utf8(data):
        return _lenient(data, "utf-8")
    from charset_normalizer import from_bytes  # imported late: only lying or odd bytes get here

    best = from_bytes(data[:200_000]).best()
    codec = _web_codec(best.encoding) if best is not None else None
    return _lenient(data, codec or "utf-8")


def _declared_in(data: bytes) -> list[str]:
    return [(m.group(1) or m.group(2)).decode("ascii") for m in _DECLARED.finditer(data[:4096])][:3]


def _web_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip()).name
    except (LookupError, ValueError):
        return None
    return codec if _WEB_CODECS.match(codec) else None


def _plausible(text: str) -> bool:
    """A declared single-byte charset always decodes; reject it when the result reads as mojibake."""
    if text.isascii():
        return True
    from charset_normalizer.md import mess_ratio

    return mess_ratio(text[:20_000], _MESSY) < _MESSY


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few damaged bytes: many valid multi-byte sequences, few invalid ones."""
    good = len(_MULTIBYTE_UTF8.findall(data[:200_000]))
    bad = data[:200_000].decode("utf-8", "replace").count("\ufffd") - data[:200_000].decode("utf-8", "ignore").count("\ufffd")
    return good >= 4 and bad * 10 <= good


def _lenient(data: bytes, codec: str) -> Decoded:
    text = data.decode(codec, "replace")
    replaced = text.count("\ufffd") - data.decode(codec, "ignore").count("\ufffd")
    return Decoded(text, codec, replaced)


def _decoding_notes(decoded: Decoded, origin: str) -> tuple[Issue, ...]:
    if not decoded.replaced:
        return ()
    return (issue("I017", "ingest", where=origin, count=decoded.replaced, encoding=decoded.encoding),)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _markup_safe(text: str) -> str:
    """lxml refuses NUL, C0 controls and lone surrogates: none of them can be page text anyway."""
    return _CONTROL.sub("", text)


# --- XML hardening -------------------------------------------------------------------------------

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# The RSS 0.91 DOCTYPE of old feeds: removed unread (its DTD is never fetched), not refused.
_KNOWN_DOCTYPE = re.compile(r'<!DOCTYPE\s+rss\s+PUBLIC\s+"-//Netscape Communications//DTD RSS 0\.91//EN"\s*("[^"]*")?\s*>')
_FEED_ROOT = re.compile(r"<(?:[\w.-]+:)?(?:rss|feed|RDF|channel)\b", re.I)
_ENTITY_DECL = re.compile(r"<!ENTITY\s+(%\s+)?([^\s>\"']{0,60})", re.I)
_EXTERNAL_DOCTYPE = re.compile(r"<!DOCTYPE\s+[^\[>]*?\b(?:SYSTEM|PUBLIC)\s+(?:[\"'][^\"']*[\"']\s*)?[\"']?([^\"'>]{0,200})", re.I)


def harden_xml(text: str, origin: str) -> tuple[bytes | None, Issue | None]:
    """UTF-8 bytes safe to give feedparser, or the issue that refuses them.

    `defusedxml` decides for a well-formed document: any entity declaration
    (billion laughs), external entity or external DTD is refused before it is
    expanded or read. A malformed document (feedparser then reads it loosely)
    is refused when its prolog holds such declarations at all.
    """
    import defusedxml.sax
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden, NotSupportedError

    text = _KNOWN_DOCTYPE.sub("", _XML_DECLARATION.sub("", text, count=1), count=1)
    text = _CHAR_REF.sub(_valid_char_ref, text)
    text = _NAMESPACE.sub(lambda m: m.group(1) + re.sub(r"\s+", "%20", m.group(2)), text)
    data = ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode("utf-8", "replace")
    try:
        defusedxml.sax.parseString(data, xml.sax.ContentHandler(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden as err:
        if err.sysid:
            return None, issue("I019", "ingest", where=origin, sysid=_clip(err.sysid))
        return None, issue("I018", "ingest", where=origin, name=_clip(err.name))
    except ExternalReferenceForbidden as err:
        if err.context is None:
            return None, issue("I020", "ingest", where=origin, sysid=_clip(err.sysid))
        return None, issue("I019", "ingest", where=origin, sysid=_clip(err.sysid))
    except (DTDForbidden, NotSupportedError) as err:
        return None, issue("I018", "ingest", where=origin, name=_clip(str(err)))
    except (xml.sax.SAXException, ValueError, UnicodeError):
        root = _FEED_ROOT.search(text, 0, 65_536)
        prolog = text[: root.start() if root else 65_536]
        if (m := _ENTITY_DECL.search(prolog)) is not None:
            return None, issue("I018", "ingest", where=origin, name=_clip(m.group(2)))
        if (m := _EXTERNAL_DOCTYPE.search(prolog)) is not None:
            return None, issue("I020", "ingest", where=origin, sysid=_clip(m.group(1)))
    return data, None


# The SAX reader splits "namespace name" on whitespace: a namespace holding some
# (a URI never does) would make feedparser's strict parser crash, not fail.
_NAMESPACE = re.compile(r"""(\bxmlns(?::[\w.-]+)?\s*=\s*)("[^"<>]*"|'[^'<>]*')""")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));?")


def _valid_char_ref(m: re.Match) -> str:
    """A reference to a character XML forbids (a surrogate, NUL, past U+10FFFF) becomes U+FFFD.

    feedparser's loose parser would otherwise crash on it (`&#xD800;` cannot be UTF-8).
    """
    digits = m.group(1) or m.group(2)
    code = int(digits, 16 if m.group(1) else 10) if len(digits) <= 8 else -1
    ok = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
    return m.group(0) if ok else "&#xFFFD;"


def _clip(value: object, limit: int = 120) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


# --- feeds ---------------------------------------------------------------------------------------


def read_feed(
    data: bytes, origin: str, *, charset: str | None = None, url: str | None = None,
    fetch_pages: bool = False, limits: FetchLimits | None = None,
) -> Iterator[Ingested]:
    """One `Ingested` per entry of an RSS or Atom feed (or one failure for the whole feed)."""
    import feedparser

    decoded = decode_document(data, charset)
    notes = _decoding_notes(decoded, origin)
    safe, refused = harden_xml(decoded.text, origin)
    if refused is not None or safe is None:
        yield Ingested(origin, issue=refused)
        return
    headers = {"content-type": "application/xml; charset=utf-8"}
    if url:
        headers["content-location"] = url
    # A stream, never bytes or str: feedparser treats a str as a URL or a file name to open.
    try:
        parsed = feedparser.parse(io.BytesIO(safe), response_headers=headers)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeError, RecursionError) as err:
        # feedparser falls back to its loose parser only on SAX errors; anything else is its bug
        yield Ingested(origin, issue=issue("I021", "ingest", where=origin, error=f"feedparser failed: {_clip(repr(err), 200)}"))
        return
    if not parsed.get("version") and not parsed.entries:
        error = parsed.get("bozo_exception") or "no rss, feed or rdf:RDF root element"
        yield Ingested(origin, issue=issue("I021", "ingest", where=origin, error=_clip(error, 200)))
        return
    if not parsed.entries:
        yield Ingested(origin, issue=issue("I022", "ingest", where=origin))
        return
    outlet = _plain(parsed.feed.get("title_detail")) or _host(url)
    feed_lang = parsed.feed.get("language")
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"{origin}#entry-{number}"
        yield _entry_article(entry, where, outlet=outlet, feed_lang=feed_lang, notes=notes,
                             fetch_pages=fetch_pages, limits=limits)


def _entry_article(
    entry: Any, origin: str, *, outlet: str | None, feed_lang: str | None, notes: tuple[Issue, ...],
    fetch_pages: bool, limits: FetchLimits | None,
) -> Ingested:
    title = _plain(entry.get("title_detail")) or " ".join(str(entry.get("title") or "").split())
    link = _http_url(entry.get("link"))
    detail = _best_text(entry)
    text = _plain(detail)
    declared = (detail or {}).get("language") or entry.get("language") or feed_lang
    fields: dict[str, Any] = {
        "id": link or _http_url(entry.get("id")) or entry.get("id") or None,
        "title": title, "date": _entry_date(entry), "outlet": outlet, "url": link,
    }
    if not text.strip() and link:
        if not fetch_pages:
            return Ingested(origin, issue=issue("I023", "ingest", where=origin))
        page = read_page_url(link, origin, limits)
        if page.article is None:
            return page
        found = page.article
        fields |= {"title": title or found.title, "date": fields["date"] or found.date,
                   "outlet": outlet or found.outlet}
        text, declared, notes = found.text, declared or found.lang, notes + page.notes
    fields |= {"text": text, "lang": choose_language(declared, f"{fields['title']}\n{text}") if text.strip() else None}
    if not fields["id"]:
        fields["id"] = "sha256:" + content_hash(fields["title"], text)
    return _article(fields, origin, notes=notes)


def _best_text(entry: Any) -> dict | None:
    """The entry's content (the longest when there are several), else its summary."""
    contents = [c for c in entry.get("content", []) if isinstance(c, dict) and (c.get("value") or "").strip()]
    if contents:
        return max(contents, key=lambda c: len(c.get("value") or ""))
    summary = entry.get("summary_detail")
    return summary if isinstance(summary, dict) else None


def _plain(detail: dict | None) -> str:
    """A feedparser text construct as plain text: HTML is walked, plain text kept."""
    if not isinstance(detail, dict):
        return ""
    value = detail.get("value") or ""
    if "html" in (detail.get("type") or ""):
        return html_to_text(value)
    return "\n".join(" ".join(line.split()) for line in value.strip().splitlines() if line.strip())


def _entry_date(entry: Any) -> str | None:
    """ISO 8601, keeping the feed's own UTC offset when its date string can be read; else feedparser's UTC."""
    for key in ("published", "updated", "created"):
        when = _parse_date(entry.get(key))
        if when is not None:
            return when.isoformat()
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            try:
                return datetime(*parsed[:6], tzinfo=timezone.utc).isoformat()
            except (TypeError, ValueError, OverflowError):
                continue
    return None


def _parse_date(raw: object) -> datetime | None:
    """RFC 822 (RSS) or ISO 8601 (Atom); None for anything else."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 100:
        return None
    try:
        return email.utils.parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    try:
        return datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _http_url(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:  # "http://[broken" is not a URL
        return None
    return value if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname or None
    except ValueError:
        return None


# --- HTML ----------------------------------------------------------------------------------------

_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "iframe", "object", "embed",
                           "svg", "math", "button", "select", "textarea", "form", "canvas", "audio", "video"})
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
                         "tr", "table", "blockquote", "section", "article", "pre", "figure", "figcaption", "header",
                         "footer", "aside", "hr", "address", "main", "nav", "caption"})


def html_to_text(fragment: str) -> str:
    """The text of an HTML snippet (a feed entry), one line per block; scripts and styles never count.

    >>> html_to_text("<p>Profit <b>rose</b> 5%</p><script>alert(1)</script><p>in Q3</p>")
    'Profit rose 5%\\nin Q3'
    """
    import lxml.html
    from lxml import etree

    fragment = _markup_safe(fragment)
    if "<" not in fragment and "&" not in fragment:
        return "\n".join(" ".join(line.split()) for line in fragment.splitlines() if line.strip())
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div", parser=parser)
    except (etree.ParserError, ValueError):
        return ""
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:  # iterative: a deeply nested snippet must not exhaust the call stack
        node, closing = stack.pop()
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if closing:
            parts.append("\n" if tag in _BLOCK_TAGS else "")
            parts.append(node.tail or "" if node is not root else "")
            continue
        if not tag or tag in _SKIPPED_TAGS:
            parts.append(node.tail or "" if node is not root else "")
            continue
        parts.append(("\n" if tag in _BLOCK_TAGS else "") + (node.text or ""))
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    lines = ("".join(parts)).splitlines()
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


_HTML_LANG = re.compile(r"<html\b[^>]{0,400}?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)


def read_page(data: bytes, origin: str, *, charset: str | None = None, url: str | None = None) -> Ingested:
    """One article from an HTML page: trafilatura keeps the main text, drops menus, scripts and footers."""
    import trafilatura

    decoded = decode_document(data, charset)
    notes = _decoding_notes(decoded, origin)
    html = _markup_safe(_XML_DECLARATION.sub("", decoded.text, count=1))
    if not html.strip():
        return Ingested(origin, issue=issue("I024", "ingest", where=origin))
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=True, deduplicate=False)
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        return Ingested(origin, issue=issue("I024", "ingest", where=origin))
    title = " ".join((doc.title or "").split())
    head, _, rest = text.partition("\n")
    if title and " ".join(head.split()) == title and rest.strip():
        text = rest.strip()  # trafilatura repeats the headline as the body's first line
    page_url = _http_url(url) or _http_url(doc.url)
    declared = _HTML_LANG.search(html, 0, 8192)
    fields = {
        "id": page_url or "sha256:" + content_hash(title, text),
        "title": title, "text": text, "date": doc.date or None, "url": page_url,
        "outlet": doc.sitename or doc.hostname or _host(page_url),
        "lang": choose_language(declared.group(1) if declared else None, f"{title}\n{text}"),
    }
    return _article(fields, origin, notes=notes)


def read_page_url(link: str, origin: str, limits: FetchLimits | None = None) -> Ingested:
    """Fetch one page (a feed entry's link, with fetch_pages) and read it; failures keep `origin`."""
    try:
        check_scheme(link)
        got = fetch(link, limits)
    except FetchError as err:
        return Ingested(origin, issue=issue(err.code, "ingest", **err.fields))
    return read_page(got.body, origin, charset=got.charset, url=got.url)


# --- text files and JSONL ------------------------------------------------------------------------


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
            item = read_jsonl_line(raw, f"{path}:{number}", number)
            if item is not None:
                yield item


def read_jsonl_line(raw: bytes, origin: str, number: int) -> Ingested | None:
    """One line of a JSONL file (None when blank); `origin` is 'file:line'."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return Ingested(origin, issue=issue("I007", "ingest", path=origin, error=_utf8_error(err)))
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as err:
        error = err.msg if isinstance(err, json.JSONDecodeError) else "nested too deeply"
        return Ingested(origin, issue=issue("I001", "ingest", line=number, error=error))
    if not isinstance(record, dict):
        return Ingested(origin, issue=issue("I002", "ingest", line=number, error="expected a JSON object"))
    return _article(record, origin, number)


def _article(record: dict, origin: str, line: int | None = None, notes: tuple[Issue, ...] = ()) -> Ingested:
    fields = {k: v for k, v in record.items() if k in _KNOWN_FIELDS}
    fields.setdefault("id", f"{Path(origin.rsplit(':', 1)[0]).stem}-{line}" if line else None)
    fields, repaired = _without_surrogates(fields)
    if repaired is not None:
        notes = (*notes, repaired)
    try:
        article = Article.model_validate({**fields, "origin": origin})
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return Ingested(origin, issue=issue("I002", "ingest", line=line or 0, error=f"{where}: {first['msg']}"))
    if not article.text.strip():
        return Ingested(origin, issue=issue("I003", "ingest", article=_clip(article.id)))
    article = finish(article)
    if article.lang is None:
        return Ingested(origin, issue=issue("I004", "ingest"))
    return Ingested(origin, article=article, notes=notes)


def _without_surrogates(fields: dict[str, Any]) -> tuple[dict[str, Any], Issue | None]:
    """Lone surrogates (JSON "\\ud800") cannot be written as UTF-8: U+FFFD instead, and say so."""
    count, where = 0, []
    clean = dict(fields)
    for key, value in fields.items():
        if isinstance(value, str) and _SURROGATE.search(value):
            # json.loads already joins a valid escaped pair into one character: these are lone
            count += len(_SURROGATE.findall(value))
            where.append(key)
            clean[key] = _SURROGATE.sub("\ufffd", value)
    if not count:
        return clean, None
    return clean, issue("I009", "ingest", count=count, fields=", ".join(where))


def _utf8_error(err: UnicodeDecodeError) -> str:
    return f"byte {err.object[err.start]:#04x} at offset {err.start}"
