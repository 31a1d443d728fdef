"""Entry points of the leads area for the engines (declared in area.py): the stream's notices
(its own lead changes, customers' changes, a user's deactivation), the first-contact timer and
a step of a handover job."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..core import JobStep, Notice, Timer


def on_lead_changed(notice: Notice, now: datetime) -> None:
    from .background_service import on_lead_changed as follow

    follow(notice, now)


def on_customer_changed(notice: Notice, now: datetime) -> None:
    from .background_service import on_customer_changed as follow

    follow(notice, now)


def before_customers_changed(notices: Sequence[Notice], now: datetime) -> None:
    from .background_service import before_customers_changed as read_ahead

    read_ahead(notices, now)


def on_user_deactivated(notice: Notice, now: datetime) -> None:
    from .background_service import start_handover

    start_handover(notice, now)


def on_first_contact_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    from .background_service import on_first_contact_timer as fire

    return fire(timer, now)


def on_handover_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .background_service import handover_page

    return handover_page(job, cursor, now)
