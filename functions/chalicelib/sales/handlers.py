"""Entry points of the sales area (declared in area.py): the stream's notices (a deal changed,
a customer's interactions moved, a user deactivated), the stale timer and the handover job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import JobStep, Notice, Timer


def on_deal_changed(notice: Notice, now: datetime) -> None:
    from .followers import deal_changed

    deal_changed(notice, now)


def on_customer_changed(notice: Notice, now: datetime) -> None:
    from .followers import customer_changed

    customer_changed(notice, now)


def on_stale_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    from .followers import stale_timer_fired

    return stale_timer_fired(timer, now)


def on_user_deactivated(notice: Notice, now: datetime) -> None:
    from .handover import start_handover

    start_handover(notice, now)


def on_handover_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .handover import handover_page

    return handover_page(job, cursor, now)


def start_health_nightly(tenant_id: str, now: datetime, *, on_demand: bool, started_by: str) -> Any:
    from .nightly import start_health_nightly as start

    return start(tenant_id, now, on_demand=on_demand, started_by=started_by)


def on_health_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .nightly import health_page

    return health_page(job, cursor, now)


def on_moved_dispatch(notice: Notice, now: datetime) -> None:
    from .dispatch import on_moved

    on_moved(notice, now)


def on_health_dropped(notice: Notice, now: datetime) -> None:
    from .dispatch import on_health_dropped as dispatch

    dispatch(notice, now)
