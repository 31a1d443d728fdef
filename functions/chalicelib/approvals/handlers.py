"""Entry points of the approvals area (declared in area.py): a step's wait timer, and the
handover of a deactivated user's pending steps (the directory's notice, then a job)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import JobStep, Notice, Timer


def on_step_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    from .steps import on_timer

    return on_timer(timer, now)


def on_user_deactivated(notice: Notice, now: datetime) -> None:
    from .handover import start_handover

    start_handover(notice, now)


def on_handover_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .handover import handover_page

    return handover_page(job, cursor, now)
