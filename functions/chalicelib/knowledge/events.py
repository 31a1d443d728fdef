"""Domain events of the knowledge area (source `crm.knowledge`), raised by its reaction to
changes of articles (so a replayed stream record raises the same event id)."""

from __future__ import annotations

from pydantic import Field

from ..core import EventDetail


class ArticlePublished(EventDetail):
    """An article became readable by customers and agents (published, or republished after
    being archived). Edits of a published article raise no event."""

    DETAIL_TYPE = "Article Published"

    article_id: str
    title: str
    language: str = Field(description="zh or en.")
    tags: list[str]
    article_version: int = Field(description="The article's version that was published.")
    published_by: str
    source_ticket_id: str | None = Field(
        default=None, description="The resolved ticket the article was drafted from."
    )


class ArticleArchived(EventDetail):
    """A published article was withdrawn from search and suggestions."""

    DETAIL_TYPE = "Article Archived"

    article_id: str
    title: str
    language: str
    article_version: int
    archived_by: str
