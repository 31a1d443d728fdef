"""Entry points of the desk's SLA (declared in area.py): the stream's notices that a ticket
changed or a message was added, an SLA timer whose moment came, and a step of the job that
recomputes open tickets' deadlines after a policy or calendar change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import JobStep, Notice, Timer


def on_ticket_changed(notice: Notice, now: datetime) -> None:
    from .sla_service import on_ticket_changed as follow

    follow(notice, now)


def on_message_added(notice: Notice, now: datetime) -> None:
    from .sla_service import on_message_added as follow

    follow(notice, now)


def on_sla_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    from .sla_timers import on_timer

    return on_timer(timer, now)


def on_recompute_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .sla_service import recompute_page

    return recompute_page(job, cursor, now)
