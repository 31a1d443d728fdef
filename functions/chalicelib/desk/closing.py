"""Resolved tickets close by themselves after the tenant's days: an exact timer per resolution
(armed when a ticket becomes resolved, cancelled when it leaves that state), which closes the
ticket only if it is still resolved since the same moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import Notice, Timer, parse_time, timer_backend
from . import rules, store
from .desk_settings import settings_of


def _resolved_since(fields: Any) -> str | None:
    if not fields or fields.get("status") != rules.RESOLVED or not fields.get("resolved_at"):
        return None
    return str(fields["resolved_at"])


def replan_auto_close(notice: Notice) -> None:
    was, now_since = _resolved_since(notice.old), _resolved_since(notice.new)
    if was == now_since:
        return
    backend, tenant, ticket_id = timer_backend(), notice.tenant_id, notice.subject_id
    if was is not None:
        backend.cancel(tenant, rules.auto_close_timer_name(tenant, ticket_id, was))
    if now_since is not None:
        days = settings_of(tenant).auto_close_days
        backend.arm(
            Timer(
                kind=rules.AUTO_CLOSE_TIMER,
                name=rules.auto_close_timer_name(tenant, ticket_id, now_since),
                tenant_id=tenant,
                deadline=rules.auto_close_deadline(parse_time(now_since), days),
                data={"ticket_id": ticket_id, "resolved_at": now_since},
            )
        )


def auto_close(timer: Timer, now: datetime) -> dict[str, Any]:
    """Close the ticket if it is still resolved since the moment the timer was armed for."""
    ticket_id, since = str(timer.data["ticket_id"]), str(timer.data["resolved_at"])
    for _ in range(3):
        item = store.current(timer.tenant_id, ticket_id)
        if item is None:
            return {"closed": False, "reason": "gone"}
        stored = item.resolved_at
        resolved_at = store.TicketItem.resolved_at.serialize(stored) if stored else None
        if not rules.should_auto_close(item.status, resolved_at, since):
            return {"closed": False, "reason": "moved"}
        item.status, item.closed_at = rules.CLOSED, now
        try:
            store.save(item, now)
        except store.Raced:
            continue
        return {"closed": True, "ticket_id": ticket_id}
    return {"closed": False, "reason": "raced"}
