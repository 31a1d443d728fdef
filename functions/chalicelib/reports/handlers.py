"""Entry points of the reports area for the engines (declared in area.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ..core import JobStep, Notice

# The module and function that work out a notice's deltas, by topic (folding.py folds them).
DELTAS = {
    "sales.opportunity_moved": ("service", "move_deltas"),
    "leads.captured": ("service", "lead_deltas"),
    "customers.changed": ("service", "followup_deltas"),
    "automation.task_changed": ("service", "task_deltas"),
    "desk.ticket_changed": ("desk_service", "ticket_deltas"),
    "surveys.answered": ("desk_service", "answer_deltas"),
}


def _deltas_of(topic: str) -> Callable[[Notice], Any]:
    from importlib import import_module

    module, name = DELTAS[topic]
    deltas_of: Callable[[Notice], Any] = getattr(import_module(f".{module}", __package__), name)
    return deltas_of


def _fold(notice: Notice) -> None:
    from .folding import fold

    fold(notice, _deltas_of(notice.topic))


def before_notices(notices: Sequence[Notice], now: datetime) -> None:
    """Before a stream batch is followed: its notices of one topic folded at once."""
    from .folding import fold_ahead

    if notices:
        fold_ahead(notices, _deltas_of(notices[0].topic))


def on_opportunity_moved(notice: Notice, now: datetime) -> None:
    """The sales area created or moved an opportunity: fold it into the funnel and the reps."""
    _fold(notice)


def on_lead_captured(notice: Notice, now: datetime) -> None:
    """The leads area captured a new lead: it counts in its team's day."""
    _fold(notice)


def on_customer_changed(notice: Notice, now: datetime) -> None:
    """A customer changed: a later outbound contact is a follow-up in its team's day."""
    _fold(notice)


def on_task_changed(notice: Notice, now: datetime) -> None:
    """A task written, closed, reopened, reassigned or moved in time: its assignee's figures."""
    _fold(notice)


def start_daily(tenant_id: str, now: datetime, *, on_demand: bool, started_by: str) -> Any:
    """The schedule's (or an admin's) start of a tenant's daily sales report: its job id or None."""
    from .service import start_daily as start

    return start(tenant_id, now, on_demand=on_demand, started_by=started_by)


def on_daily_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .service import daily_step

    return daily_step(job, cursor, now)


def on_ticket_changed(notice: Notice, now: datetime) -> None:
    """The desk created or changed a ticket: service flows and the backlog."""
    _fold(notice)


def on_survey_answered(notice: Notice, now: datetime) -> None:
    """A customer answered a survey: CSAT and NPS."""
    _fold(notice)
