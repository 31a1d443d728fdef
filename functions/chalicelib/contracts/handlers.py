"""Entry points of the contracts area for the engines (declared in area.py): the notices it
follows (deals won and reopened, approvals decided), its timers, and its 360 section."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import JobStep, Notice, Timer


def on_opportunity_won(notice: Notice, now: datetime) -> None:
    from .drafts import on_won

    on_won(notice, now)


def on_opportunity_reopened(notice: Notice, now: datetime) -> None:
    from .drafts import on_reopened

    on_reopened(notice, now)


def on_approval_decided(notice: Notice, now: datetime) -> None:
    from .service import on_decided

    on_decided({"tenant_id": notice.tenant_id, **dict(notice.new or {})}, now)


def on_user_deactivated(notice: Notice, now: datetime) -> None:
    from .handover import start_handover

    start_handover(notice, now)


def on_handover_step(job: Any, cursor: Any, now: datetime) -> JobStep:
    from .handover import handover_page

    return handover_page(job, cursor, now)


def on_overdue_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    from .payments import on_overdue

    return on_overdue(timer.tenant_id, dict(timer.data), now)


def on_renewal_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    from .schedule import on_renewal

    return on_renewal(timer.tenant_id, dict(timer.data), now)


def contract_section(item: Any, principal: Any) -> Any:
    """The 360 view's `contracts` section from a stored contract."""
    from .service import section_view

    return section_view(item, principal)
