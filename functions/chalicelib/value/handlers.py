"""Entry points of the customer value area for the engines (declared in area.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import JobStep


def on_nightly_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    """One step of a tenant's nightly value job (summaries, fit and scoring, write-back)."""
    from .nightly import step

    return step(job, cursor, now)


def on_segment_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    """One step of a segment job of a large tenant's night (its share of the customers)."""
    from .nightly import segment_step

    return segment_step(job, cursor, now)


def start_nightly(tenant_id: str, now: datetime, *, on_demand: bool, started_by: str) -> Any:
    """The schedule's (or an admin's) start of a tenant's nightly job: its id, or None."""
    from .service import start_nightly as start

    return start(tenant_id, now, on_demand=on_demand, started_by=started_by)


def value_section(item: Any, principal: Any) -> Any:
    """The 360 view's `value` section from the stored scores."""
    from .service import value_view

    return value_view(item, principal)
