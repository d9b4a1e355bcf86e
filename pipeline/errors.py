"""Exceptions and the catalogue of issue codes.

Setup problems (a bad lexicon, a bad setting, a missing model) raise at startup.
Data problems never raise out of a run: they become an `Issue` on the article.
The code's letter names the stage: I ingest, N normalise, M money/numbers,
P period, C claims, V validate, X crash.
"""

from __future__ import annotations

from .models import Issue


class MizanError(Exception):
    """Base class: the CLI prints these as one line and exits with status 2."""


class LexiconError(MizanError):
    """A lexicon file is malformed: names the file, the entry and the reason."""


class ConfigError(MizanError):
    """A setting or an optional model path is wrong."""


class InputError(MizanError):
    """An input cannot be read at all (missing file, not UTF-8, not JSON)."""


MESSAGES: dict[str, str] = {
    "I001": "line {line}: invalid JSON ({error})",
    "I002": "line {line}: not an article object: {error}",
    "I003": "article {article} has empty text",
    "I004": "language could not be detected (no Arabic or Latin letters)",
    "I005": "language {lang!r} is not supported (ar, en)",
    "I006": "duplicate article id {article!r}: renamed to {new!r}",
    "I007": "{path}: not valid UTF-8 ({error})",
    "I008": "{path}: {error}",
    "I009": "{count} lone surrogate code point(s) in {fields} replaced by U+FFFD",
    "I010": "{url}: only http and https URLs are fetched, not {scheme!r}{via}",
    "I011": "{url}: more than {limit} redirects",
    "I012": "{url}: redirect loop back to {target}",
    "I013": "{url}: HTTP {status} {reason}",
    "I014": "{url}: larger than the cap of {limit} bytes (counted after decompression)",
    "I015": "{url}: too slow ({error})",
    "I016": "{url}: could not be fetched ({error})",
    "I017": "{where}: {count} undecodable byte sequence(s) replaced by U+FFFD (read as {encoding})",
    "I018": "{where}: XML declares entity {name!r}; entity declarations are refused (no expansion)",
    "I019": "{where}: XML external entity {sysid!r} refused; it was not read or fetched",
    "I020": "{where}: XML external DTD {sysid!r} refused; it was not fetched",
    "I021": "{where}: not an RSS or Atom feed ({error})",
    "I022": "{where}: the feed holds no entries",
    "I023": "{where}: the entry has only a link, no text; pages are fetched only when asked (fetch_pages)",
    "I024": "{where}: no article text found in the page",
    "I025": "{where}: {kind!r} is neither a feed nor an HTML page",
    "N001": "text holds {count} control characters; they were kept but ignored",
    "M010": "amount {text!r} could not be resolved to a number",
    "M020": "currency {form!r} is ambiguous and no country is named nearby",
    "C001": "no financial amount found",
    "C010": "amount {text!r} has no entity in reach",
    "V030": "{metric} for {period} is {ours} here but {theirs} in article {other}",
    "V031": "{metric} for {period} is {ours} here and {theirs} in article {other}: a small difference ({gap:.2%})",
    "X000": "stage {where} crashed: {error}",
    "X001": "the worker process died while processing this article (killed or out of memory) more than once; given up",
}


def issue(code: str, stage: str | None = None, **fields: object) -> Issue:
    """Build an `Issue` from the catalogue; an unknown code is a bug, so it raises."""
    return Issue(code=code, message=MESSAGES[code].format(**fields), stage=stage)
