"""Entry points of the tagging area for the engines (declared in area.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..core import JobStep, Notice


def on_customer_changed(notice: Notice, now: datetime) -> None:
    """A customer appeared or changed: re-evaluate the tenant's tag rules for it."""
    if notice.new is None:  # deleted: its tags stay with the deleted profile
        return
    from .service import retag_customer

    retag_customer(notice.tenant_id, notice.subject_id, notice.new, now)


def before_customers_changed(notices: Sequence[Notice], now: datetime) -> None:
    """Before a stream batch is followed: the tags of every customer it will re-tag, read at
    once, and the tenants' tag rules compiled."""
    from .service import read_ahead

    read_ahead([(n.tenant_id, n.subject_id) for n in notices if n.new is not None])


def on_retag_job_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    """A page of a re-tag of every customer, after a tag rule changed (a backfill job)."""
    from .service import retag_page

    return retag_page(job, cursor, now)
