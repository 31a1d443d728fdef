"""A step's life: started (its approver resolved, its queue keys and wait timer set), ended
(timers stopped), and what its timers do when a step waits too long: remind its approver,
then escalate to their manager (or the admins).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from ..core import Timer, current_correlation_id, publish, timer_backend
from . import rules, store
from .models import ApprovalStatus, StepKind

TIMER_KIND = "approvals.step_wait"
REMIND, ESCALATE = "remind", "escalate"
MAX_CHAIN = 10
_NAMESPACE = uuid.UUID("0f7c9f0e-3b55-4a53-9d1c-6a7e0c1d2b44")


def manager_of(tenant_id: str, user_id: str) -> str | None:
    """The user's manager from the tenant directory (None when there is none)."""
    from ..directory import service as directory

    return directory.manager_of(tenant_id, user_id)


def management(tenant_id: str, requester: str, excluded: set[str]) -> str | None:
    """The first manager up the requester's chain who is not one of `excluded` (the requester
    and the subject's owner), or None (then the admins decide)."""
    seen: set[str] = set()
    candidate = manager_of(tenant_id, requester)
    while candidate is not None and candidate not in seen and len(seen) < MAX_CHAIN:
        if candidate not in excluded:
            return candidate
        seen.add(candidate)
        candidate = manager_of(tenant_id, candidate)
    return None


def _own(item: store.ApprovalItem) -> set[str]:
    return {u for u in (item.requested_by, item.subject_owner_id) if u}


def start(item: store.ApprovalItem, index: int, now: datetime) -> None:
    """Make step `index` the pending one: management resolves to a manager now, and a named
    approver who is the requester or owner hands the step up their chain."""
    steps = item.steps
    step = steps[index]
    own = _own(item)
    if step["kind"] == StepKind.MANAGEMENT.value or step.get("user_id") in own:
        manager = management(item.tenant_id, item.requested_by, own)
        step["user_id"] = manager
        step["role"] = None if manager else "admin"
    step.update(status="pending", started_at=now.isoformat())
    item.steps_json = json.dumps(steps)
    item.current_step = index
    store.set_queue(item, rules.queue_key(step), now)


def finish(
    item: store.ApprovalItem, status: str, by: str | None, now: datetime, *, reason: str | None
) -> None:
    """End the approval (approved, rejected, withdrawn, void): open steps close, off queues."""
    steps = item.steps
    if status != ApprovalStatus.APPROVED.value:
        rules.close_open(steps)
    item.steps_json = json.dumps(steps)
    item.status = status
    item.decided_at = now
    item.decided_by = by
    item.reason = reason
    item.updated_at = now
    item.current_step = None
    store.set_queue(item, None, None)


def _hours(tenant_id: str) -> tuple[int, int]:
    from .admin import settings_of

    settings = settings_of(tenant_id)
    return settings.reminder_hours, settings.escalation_hours


def timer(item: store.ApprovalItem, index: int, stage: str, deadline: datetime) -> Timer:
    return Timer(
        kind=TIMER_KIND,
        name=rules.timer_name(item.tenant_id, item.approval_id, index, stage),
        tenant_id=item.tenant_id,
        deadline=deadline,
        data={"approval_id": item.approval_id, "step": index, "stage": stage},
    )


def arm_timers(item: store.ApprovalItem) -> None:
    """A pending step waits `reminder_hours` for its reminder."""
    if item.status != ApprovalStatus.PENDING.value or item.current_step is None:
        return
    index = int(item.current_step)
    started = datetime.fromisoformat(str(item.steps[index]["started_at"]))
    remind_after, _ = _hours(item.tenant_id)
    timer_backend().arm(timer(item, index, REMIND, started + timedelta(hours=remind_after)))


def pending_step(item: store.ApprovalItem | None) -> int | None:
    """The index of the step a pending approval waits on (None: none waits)."""
    if item is None or item.status != ApprovalStatus.PENDING.value or item.current_step is None:
        return None
    return int(item.current_step)


def stop_timers(item: store.ApprovalItem, index: int) -> None:
    """The step was decided (or the approval ended): its reminder and escalation stop."""
    for stage in (REMIND, ESCALATE):
        timer_backend().cancel(
            item.tenant_id, rules.timer_name(item.tenant_id, item.approval_id, index, stage)
        )


def on_timer(fired: Timer, now: datetime) -> dict[str, Any]:
    """A step waited too long: remind its approver and wait again, or escalate. A step already
    decided, or an approval that ended, does nothing."""
    from .events import ApprovalStepOverdue

    approval_id, index = str(fired.data["approval_id"]), int(fired.data["step"])
    stage = str(fired.data["stage"])
    for _ in range(3):
        item = store.get(fired.tenant_id, approval_id)
        if (
            item is None
            or item.status != ApprovalStatus.PENDING.value
            or item.current_step is None
            or int(item.current_step) != index
        ):
            return {"status": "stale"}
        steps = item.steps
        step = steps[index]
        if stage == REMIND:
            recipients = sorted(rules.step_approvers(step)[0])
            roles = sorted(rules.step_approvers(step)[1])
            _, escalate_after = _hours(item.tenant_id)
            timer_backend().arm(timer(item, index, ESCALATE, now + timedelta(hours=escalate_after)))
            escalated_to: str | None = None
        else:
            approver = step.get("user_id")
            facet, value = rules.escalation_of(
                step, manager_of(item.tenant_id, approver) if approver else None
            )
            if facet == "USER":
                step["escalated_to"] = value
            else:
                step["escalated_role"] = value
            item.steps_json = json.dumps(steps)
            item.updated_at = now
            store.set_escalation(item, (facet, value))
            if not store.save(item):
                continue  # decided or changed meanwhile: look again
            recipients, roles = ([value], []) if facet == "USER" else ([], [value])
            escalated_to = value if facet == "USER" else None
        publish(
            [
                ApprovalStepOverdue(
                    event_id=str(uuid.uuid5(_NAMESPACE, fired.name)),
                    tenant_id=item.tenant_id,
                    correlation_id=current_correlation_id() or fired.name,
                    occurred_at=now.astimezone(UTC),
                    approval_id=approval_id,
                    subject_type=item.subject_type,
                    subject_id=item.subject_id,
                    title=item.title,
                    step=index,
                    action="reminded" if stage == REMIND else "escalated",
                    recipients=recipients,
                    roles=roles,
                    escalated_to=escalated_to,
                )
            ]
        )
        return {"status": "reminded" if stage == REMIND else "escalated"}
    return {"status": "busy"}
