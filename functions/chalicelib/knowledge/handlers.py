"""The knowledge area's follower: keep the tenant's search index in line with its articles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import Notice


def on_article_changed(notice: Notice, now: datetime) -> None:
    """Re-index the article from what the table holds now (not the notice's image), so a
    replayed or late notice can only bring the index up to date, never back in time."""
    from . import search, store

    item = store.get_article(notice.tenant_id, notice.subject_id)
    values: dict[str, Any] | None = None
    if item is not None:
        values = {
            "title": item.title,
            "body": item.body,
            "tags": item.tags,
            "language": item.language,
            "status": item.status,
            "version": item.version,
        }
    search.reindex(notice.tenant_id, notice.subject_id, values)
