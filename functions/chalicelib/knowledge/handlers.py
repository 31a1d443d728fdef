"""Entry points of the knowledge area for the engines (declared in area.py): the follower that
keeps the tenant's search index in line with its articles, and the reindex job."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core import JobStep, Notice

REINDEX_JOB = "knowledge.reindex"


def on_article_changed(notice: Notice, now: datetime) -> None:
    """Re-index the article from what the table holds now (not the notice's image), so a
    replayed or late notice can only bring the index up to date, never back in time."""
    from . import search, store

    item = store.get_article(notice.tenant_id, notice.subject_id)
    values = search.article_values(item) if item is not None else None
    search.reindex(notice.tenant_id, notice.subject_id, values)


def on_reindex_step(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of a tenant's published articles indexed again."""
    from .search import reindex_page

    next_cursor, changed = reindex_page(job.tenant_id, cursor)
    return JobStep(next_cursor, changed)


def start_reindex(tenant_id: str, now: datetime, *, on_demand: bool, started_by: str) -> Any:
    """On an admin's demand only (POST /v1/admin/schedules/knowledge.reindex/runs): the stream
    keeps the index as articles change, so no schedule runs it."""
    if not on_demand:
        return None
    from ..core import start_job

    return start_job(
        tenant_id,
        REINDEX_JOB,
        {},
        started_by=started_by,
        job_id=f"knowledge-reindex-{now.strftime('%Y%m%dT%H%M%S')}",
        now=now,
    )
