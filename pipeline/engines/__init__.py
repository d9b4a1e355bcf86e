"""Engines run the pipeline over chunks of articles: in this process, in a local process
pool, or on a Ray cluster. They all call `process_chunk`, which takes and returns plain
JSON lines (one article in, one `ArticleOutcome` out), so that nothing but text crosses
a process or machine boundary, and every engine gives byte-identical results.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Protocol

from .. import __version__
from ..models import Article, ArticleOutcome, ArticleRecord, ClaimReport, MentionRecord
from ..stages import ArticleResult, Pipeline, Settings

_PIPELINES: dict[Settings, Pipeline] = {}


def pipeline_for(settings: Settings) -> Pipeline:
    """One pipeline per process and settings: lexicons and models load once per worker."""
    if settings not in _PIPELINES:
        _PIPELINES[settings] = Pipeline(settings)
    return _PIPELINES[settings]


def outcome(result: ArticleResult, article: Article) -> ArticleOutcome:
    """What one article produced, as the batch store keeps it."""
    report = result.report
    record = ArticleRecord(
        **article.model_dump(), status=report.status, issues=report.issues,
        mentions=report.mentions, claims=report.claims, pipeline_version=__version__,
    )
    mentions = [
        MentionRecord(**m.model_dump(), article_id=article.id, field=field_name)
        for field_name, found in result.mentions.items() for m in found
    ]
    return ArticleOutcome(article=record, report=report, claims=result.claims, mentions=mentions)


def process_chunk(lines: list[str], settings: Settings = Settings()) -> list[str]:
    """Articles (JSON lines) -> outcomes (JSON lines), in order, one for one."""
    pipeline = pipeline_for(settings)
    out = []
    for line in lines:
        article = Article.model_validate_json(line)
        out.append(outcome(pipeline.process(article), article).model_dump_json())
    return out


def failed_outcome(line: str, code_issue) -> str:
    """The outcome of an article whose worker died on it (twice): failed, with the reason."""
    article = Article.model_validate_json(line)
    report = ClaimReport(article_id=article.id, origin=article.origin, lang=article.lang, status="failed", issues=[code_issue])
    record = ArticleRecord(**article.model_dump(), status="failed", issues=[code_issue], pipeline_version=__version__)
    return ArticleOutcome(article=record, report=report).model_dump_json()


class Engine(Protocol):
    """Runs chunks and yields (chunk number, outcome lines) as each chunk finishes."""

    name: str
    workers: int

    def run(self, chunks: list[list[str]]) -> Iterator[tuple[int, list[str]]]: ...

    def close(self) -> None: ...


def make_engine(name: str, workers: int, settings: Settings, ray_address: str | None = None) -> Engine:
    """The engine a run asked for; a bad name or a missing optional package is a setup error."""
    from ..errors import ConfigError

    if name == "local":
        from .local import LocalEngine

        return LocalEngine(workers, settings)
    if name == "ray":
        from .ray_engine import RayEngine

        return RayEngine(workers, settings, ray_address)
    raise ConfigError(f"unknown engine {name!r} (local, ray)")


def chunked(lines: Iterable[str], size: int) -> list[list[str]]:
    chunk: list[str] = []
    out = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == size:
            out.append(chunk)
            chunk = []
    if chunk:
        out.append(chunk)
    return out
