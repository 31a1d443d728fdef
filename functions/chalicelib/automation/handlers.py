"""Entry points of the automation area (declared in area.py): the stream function's notices
that a customer changed or a user was deactivated, the timers function's time rule whose
deadline passed, and a step of a time rule's backfill job or of a tasks handover."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..core import JobStep, Notice, Timer


def on_customer_changed(notice: Notice, now: datetime) -> None:
    from .triggers import on_customer_change

    on_customer_change(notice, now)


def before_customers_changed(notices: Sequence[Notice], now: datetime) -> None:
    """Before a stream batch is followed: the tenants' automation rules, compiled once (not by
    each customer's thread at the same time)."""
    from .service import RULES

    for tenant_id in dict.fromkeys(n.tenant_id for n in notices):
        RULES.enabled(tenant_id)


def on_time_rule_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    from .triggers import on_timer

    return on_timer(timer, now)


def on_timers_job_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .triggers import timers_page

    return timers_page(job, cursor, now)


def on_user_deactivated(notice: Notice, now: datetime) -> None:
    from .handover import start_handover

    start_handover(notice, now)


def on_handover_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .handover import handover_page

    return handover_page(job, cursor, now)
