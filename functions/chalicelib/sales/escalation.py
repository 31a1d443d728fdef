"""A stale deal's escalation: a to-do for the owner's manager (the directory's answer; the
owner themself when nobody manages them, so the deal is never left without a task)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..automation import service as automation
from ..directory import service as directory
from . import store

TASK_DUE = timedelta(days=1)
TASK_KIND = "sales.opportunity_stale"


def escalate(item: store.OpportunityItem, now: datetime) -> str | None:
    """A task about the stale deal, once per stale spell; returns the manager escalated to."""
    manager = directory.manager_of(item.tenant_id, item.owner_id)
    since = item.last_follow_up_at or item.created_at
    automation.open_task(
        item.tenant_id,
        item.customer_id,
        f"Stale deal: no follow-up on {item.title!r} by {item.owner_id} for 7 days",
        assignee_id=manager or item.owner_id,
        key=f"opp-stale:{item.opportunity_id}:{since.isoformat()}",
        due_at=now + TASK_DUE,
        kind=TASK_KIND,
        link=f"/v1/opportunities/{item.opportunity_id}",
        at=now,
    )
    return manager
