"""A stale deal's escalation: who the owner's manager is, and the task they get."""

from __future__ import annotations

from datetime import datetime

from ..automation import service as automation
from . import store


def manager_of(tenant_id: str, owner_id: str) -> str | None:
    """The owner's manager (the directory's answer once it is merged; None until then)."""
    return None


def escalate(item: store.OpportunityItem, now: datetime) -> str | None:
    """A task about the stale deal, once per stale spell; returns the manager escalated to."""
    manager = manager_of(item.tenant_id, item.owner_id)
    since = item.last_follow_up_at or item.created_at
    automation.open_care_task(
        item.tenant_id,
        item.customer_id,
        f"Stale deal: no follow-up on {item.title!r} for 7 days",
        key=f"opp-stale:{item.opportunity_id}:{since.isoformat()}",
        at=now,
    )
    return manager
