"""Entry points of ticket assignment for the engines (declared in area.py): the stream's notices
(a ticket's change) and a step of the re-queue and pull jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import JobStep, Notice


def on_ticket_changed(notice: Notice, now: datetime) -> None:
    from .assignment_background import on_ticket_changed as follow

    follow(notice, now)


def on_requeue_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .assignment_background import requeue_page

    return requeue_page(job, cursor, now)


def on_pull_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .assignment_background import pull_page

    return pull_page(job, cursor, now)
