"""Mizan: exact, grounded financial claims from Arabic and English news.

Public API:

- `extract(article)`: the claims of one article (an `Article` or a dict).
- `find_mentions(text, lang)`: the amounts the grammar reads in a text.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import Any

from .grammar import find_mentions
from .models import Article, Claim, Mention


def extract(article: Article | dict[str, Any]) -> list[Claim]:
    """The claims of one article; a dict is validated as an `Article` first."""
    from .ingest import finish
    from .stages import default_pipeline

    if not isinstance(article, Article):
        article = Article.model_validate(article)
    return default_pipeline().process(finish(article)).claims


__all__ = ["Article", "Claim", "Mention", "__version__", "extract", "find_mentions"]
