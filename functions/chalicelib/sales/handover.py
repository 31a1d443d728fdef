"""A deactivated user's open deals go to whom the directory names (their manager): one job per
deactivation (its id from the directory's notice), page by page over the user's deals on gsi1.
Each move is conditioned on the deal still being the user's (and on its version), so a replayed
notice or a retried step moves nothing twice; the deal's own change is its record (its history
and the stream's Opportunity events)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core import JobStep, Notice, logger
from ..directory import service as directory
from . import store

AREA = "sales"
HANDOVER_JOB = "sales.handover_opportunities"
PAGE = 100


def start_handover(notice: Notice, now: datetime) -> str:
    """Start the handover job of a deactivation (once: its id is the notice's)."""
    return directory.start_handover(notice, AREA, HANDOVER_JOB, now)


def handover_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of the user's deals (one Query on gsi1): each open one moves to the manager."""
    user_id, manager_id = directory.handover_of(job)
    if not manager_id:
        logger.warning("Handover without anyone to take the deals", extra={"job": job.job_id})
        return JobStep(None, 0)
    page = store.by_owner(job.tenant_id, user_id, PAGE, dict(cursor) if cursor else None)
    moved = sum(
        store.reassign(deal, user_id, str(manager_id), now)
        for deal in page.items
        if deal.status == "open"
    )
    return JobStep(page.last_key, moved)
