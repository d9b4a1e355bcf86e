"""The one place that wires the stages, in order, with their settings.

ingest -> amounts (grammar, per field) -> claims (entities, metric, period,
source, modality). Every article comes out as exactly one `ArticleResult`,
whatever happens inside: a crash in a stage is recorded on the article as issue
X000 and the run goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .claims import ClaimBuilder, FieldText, article_date, read_field
from .entities import EntityFinder
from .errors import MizanError, issue
from .ingest import Ingested
from .models import Article, Claim, ClaimReport, Issue, Mention

log = logging.getLogger("mizan")


@dataclass(frozen=True)
class Settings:
    """Run settings; every stage gets what it needs from here."""

    ner_model: Path | None = None  # a local token-classification model folder, optional


@dataclass
class ArticleResult:
    report: ClaimReport
    article: Article | None = None
    claims: list[Claim] = field(default_factory=list)
    mentions: dict[str, list[Mention]] = field(default_factory=dict)


class Pipeline:
    """Loads lexicons and models once; `process` is then cheap per article."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self._builders: dict[str, ClaimBuilder] = {}

    def builder(self, lang: str) -> ClaimBuilder:
        if lang not in self._builders:
            self._builders[lang] = ClaimBuilder(lang, EntityFinder(lang, self.settings.ner_model))
        return self._builders[lang]

    def process(self, article: Article) -> ArticleResult:
        """Amounts, then claims, for one article; never raises on data."""
        issues: list[Issue] = []
        lang = article.lang or "en"
        stage = "amounts"
        try:
            today = article_date(article)
            fields: list[FieldText] = [read_field("text", article.text, lang, today)]
            if article.title.strip():
                fields.insert(0, read_field("title", article.title, lang, today))
            mentions = {f.name: f.mentions for f in fields}
            stage = "claims"
            claims = self.builder(lang).build(article, fields)
        except MizanError:
            raise  # a setup problem (a bad lexicon, a missing model): stop the run, loudly
        except Exception as err:  # a bug, not a data condition: keep the article
            log.exception("stage %s failed on %s", stage, article.id)
            issues.append(issue("X000", stage, where=stage, error=repr(err)))
            report = ClaimReport(article_id=article.id, origin=article.origin, lang=article.lang, status="failed", issues=issues)
            return ArticleResult(report, article)
        n_mentions = sum(len(v) for v in mentions.values())
        if not any(m.kind in ("money", "percent") for v in mentions.values() for m in v):
            issues.append(issue("C001", "claims"))
        for c in claims:
            if c.entity is None:
                issues.append(issue("C010", "claims", text=c.amount.text))
            if c.amount.unit is None:
                issues.append(issue("M020", "claims", form=c.amount.unit_raw))
        status = "partial" if any(i.code in ("C010", "M020") for i in issues) else "ok"
        report = ClaimReport(
            article_id=article.id, origin=article.origin, lang=article.lang, status=status,
            issues=issues, mentions=n_mentions, claims=len(claims),
        )
        return ArticleResult(report, article, claims, mentions)

    def run(self, inputs: Iterable[Ingested]) -> Iterator[ArticleResult]:
        """Exactly one result per input record, unreadable ones included."""
        seen: dict[str, int] = {}
        for item in inputs:
            if item.article is None:
                assert item.issue is not None
                yield ArticleResult(ClaimReport(article_id=item.origin, origin=item.origin, status="failed", issues=[item.issue]))
                continue
            article = item.article
            extra: list[Issue] = list(item.notes)  # what ingest repaired (U+FFFD for bad bytes ...)
            if article.id in seen:
                seen[article.id] += 1
                new_id = f"{article.id}~{seen[article.id]}"
                extra.append(issue("I006", "ingest", article=article.id, new=new_id))
                article = article.model_copy(update={"id": new_id})
            else:
                seen[article.id] = 1
            result = self.process(article)
            if extra:
                result.report.issues[:0] = extra
            yield result


_DEFAULT: Pipeline | None = None


def default_pipeline() -> Pipeline:
    """A process-wide pipeline with default settings, built on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Pipeline()
    return _DEFAULT
