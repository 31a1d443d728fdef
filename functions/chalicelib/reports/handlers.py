"""Entry points of the reports area for the engines (declared in area.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import JobStep, Notice


def on_opportunity_moved(notice: Notice, now: datetime) -> None:
    """The sales area created or moved an opportunity: fold it into the funnel and the reps."""
    from .service import fold_move

    fold_move(notice, now)


def on_lead_captured(notice: Notice, now: datetime) -> None:
    """The leads area captured a new lead: it counts in its team's day."""
    from .service import fold_lead

    fold_lead(notice, now)


def on_customer_changed(notice: Notice, now: datetime) -> None:
    """A customer changed: a later outbound contact is a follow-up in its team's day."""
    from .service import fold_customer

    fold_customer(notice, now)


def on_task_changed(notice: Notice, now: datetime) -> None:
    """A task written, closed, reopened, reassigned or moved in time: its assignee's figures."""
    from .service import fold_task

    fold_task(notice, now)


def start_daily(tenant_id: str, now: datetime, *, on_demand: bool, started_by: str) -> Any:
    """The schedule's (or an admin's) start of a tenant's daily sales report: its job id or None."""
    from .service import start_daily as start

    return start(tenant_id, now, on_demand=on_demand, started_by=started_by)


def on_daily_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .service import daily_step

    return daily_step(job, cursor, now)


def on_ticket_changed(notice: Notice, now: datetime) -> None:
    """The desk created or changed a ticket: service flows and the backlog."""
    from .desk_service import fold_ticket

    fold_ticket(notice, now)


def on_survey_answered(notice: Notice, now: datetime) -> None:
    """A customer answered a survey: CSAT and NPS."""
    from .desk_service import fold_answer

    fold_answer(notice, now)
