"""Entry points of the desk's core for the engines (declared in area.py): its own ticket notice
(the auto-close timer), the directory's deactivations (handover), its timer, its job, and its
360 section."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import JobStep, Notice, Timer


def on_ticket_changed(notice: Notice, now: datetime) -> None:
    from .closing import replan_auto_close

    replan_auto_close(notice)


def on_auto_close_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    from .closing import auto_close

    return auto_close(timer, now)


def on_user_deactivated(notice: Notice, now: datetime) -> None:
    from .handover import start_handover

    start_handover(notice, now)


def on_handover_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .handover import handover_page

    return handover_page(job, cursor, now)


def ticket_section(item: Any, principal: Any) -> Any:
    """The 360 view's `tickets` entry: working tickets only (finished ones are left out)."""
    from . import rules
    from .views import section_view

    if not rules.is_working(str(item.get("status"))) or item.get("merged_into"):
        return None
    if rules.is_contact(principal):
        return None
    return section_view(item, principal)
