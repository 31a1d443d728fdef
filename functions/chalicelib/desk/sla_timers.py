"""When an SLA timer fires: at 80% of a target the assignee gets a task; at the deadline the
breach is recorded and escalates (to the queue's supervisor, else up the assignee's manager
chain), the customer is told through the ticket's channel; a P0/P1 unresolved for its calendar
hours escalates the same way. The events (Ticket SLA Warning / Breached, Ticket Escalated) come
from the stream, from the state written here.

Harmless when late or repeated: the state is re-read, a timer it no longer wants does nothing,
and a record is written version-checked (one writer wins). The follow-up (task, customer
notice) happens after the record and is itself recorded, so a retry after a crash in between
finishes it, and a second wake after it finds nothing to do.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ..core import Timer, logger
from . import sla, sla_store
from .sla import BREACH, UNRESOLVED, WARNING, SlaState, TimerPlan
from .sla_service import ATTEMPTS, TASK_DUE

LATE_TOLERANCE = timedelta(seconds=1)
ESCALATED_TEXT = {
    "zh": "您的工单已升级至主管处理，我们会尽快给您答复。",
    "en": "Your ticket has been escalated to a supervisor; we will get back to you shortly.",
}
CLOCK_WORDS = {
    "first_response": "first response",
    "resolution": "resolution",
    UNRESOLVED: "24 hours unresolved",
}


def on_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    data = timer.data
    tenant_id, ticket_id = timer.tenant_id, str(data.get("ticket_id") or "")
    plan = TimerPlan(str(data["clock"]), str(data["stage"]), datetime.fromisoformat(data["due"]))
    for _ in range(ATTEMPTS):
        item = sla_store.get_state(tenant_id, ticket_id)
        if item is None:
            return {"status": "no_sla"}
        state = item.state
        if not sla.wanted(state, plan):
            if sla.recorded(state, plan) and sla.record_key(plan) not in state.followed_up:
                return _follow_up(tenant_id, item, state, plan, now)
            return {"status": "stale"}
        if plan.due > now + LATE_TOLERANCE:
            return {"status": "not_due"}
        escalate_to = _escalation_target(tenant_id, state) if plan.stage == BREACH else None
        recorded = sla.fired(state, plan, now, escalate_to)
        if sla_store.save_state(tenant_id, item, recorded):
            fresh = sla_store.get_state(tenant_id, ticket_id)
            if fresh is None:
                return {"status": "no_sla"}
            return _follow_up(tenant_id, fresh, fresh.state, plan, now)
    raise RuntimeError(f"The SLA state of ticket {ticket_id} kept moving; the timer retries.")


def _supervisor(tenant_id: str, queue: str | None) -> str | None:
    """Who watches the queue (the desk's queues keep it; one place for assignment and SLA)."""
    from . import assignment_store

    found = assignment_store.get_queue(tenant_id, queue) if queue else None
    return found.supervisor_id if found is not None and found.supervisor_id else None


def _escalation_target(tenant_id: str, state: SlaState) -> str | None:
    """The queue's supervisor (its `supervisor_id`) if it has one, else up the assignee's
    manager chain (one more step for each escalation already made)."""
    from ..directory import service as directory

    supervisor = _supervisor(tenant_id, state.queue)
    if supervisor:
        return supervisor
    user = state.assignee_id
    found = None
    for _ in range(sla.escalation_level(state)):
        if not user:
            break
        manager = directory.manager_of(tenant_id, user)
        if manager is None:
            break
        found = user = manager
    return found


def _follow_up(
    tenant_id: str, item: Any, state: SlaState, plan: TimerPlan, now: datetime
) -> dict[str, Any]:
    """The task (and for a breach, the customer's notice) for a record; then note it done."""
    from ..automation import service as automation

    key = sla.record_key(plan)
    link = f"/v1/tickets/{state.ticket_id}"
    if plan.stage == WARNING:
        recipient = state.assignee_id or _supervisor(tenant_id, state.queue)
        title = f"SLA warning: {CLOCK_WORDS[plan.clock]} due {plan.due.isoformat()} on ticket"
        kind = "desk.sla_warning"
    else:
        recipient = state.escalated.get(plan.clock) or None
        title = f"Escalated ticket: {CLOCK_WORDS[plan.clock]} SLA not met"
        kind = "desk.sla_escalation"
    if recipient and state.customer_id:
        automation.open_task(
            tenant_id,
            state.customer_id,
            title,
            assignee_id=recipient,
            key=f"desk-sla:{state.ticket_id}:{key}",
            due_at=now + TASK_DUE,
            kind=kind,
            link=link,
            at=now,
        )
    if plan.stage == BREACH:
        from . import service as desk

        text = ESCALATED_TEXT.get(state.language, ESCALATED_TEXT["en"])
        desk.tell_customer(
            tenant_id,
            state.ticket_id,
            text,
            reason=f"sla_escalated:{plan.clock}",
            now=now,
            once=(f"desk-sla:{state.ticket_id}:{key}", plan.due),
        )
    for _ in range(ATTEMPTS):
        if key in state.followed_up or sla_store.save_state(
            tenant_id, item, replace(state, followed_up=(*state.followed_up, key))
        ):
            break
        item = sla_store.get_state(tenant_id, state.ticket_id)
        if item is None:
            break
        state = item.state
    else:
        logger.warning("SLA follow-up not noted", extra={"ticket_id": state.ticket_id})
    return {"status": "warned" if plan.stage == WARNING else "escalated", "to": recipient}
