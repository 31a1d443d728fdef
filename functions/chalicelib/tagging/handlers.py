"""Entry points of the tagging area for the engines (declared in area.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import JobStep, Notice


def on_customer_changed(notice: Notice, now: datetime) -> None:
    """A customer appeared or changed: re-evaluate the tenant's tag rules for it."""
    if notice.new is None:  # deleted: its tags stay with the deleted profile
        return
    from .service import retag_customer

    retag_customer(notice.tenant_id, notice.subject_id, notice.new, now)


def on_retag_job_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    """A page of a re-tag of every customer, after a tag rule changed (a backfill job)."""
    from .service import retag_page

    return retag_page(job, cursor, now)
