"""What leads do off the request path: the stream's follow-up of a lead's change (open-lead
counts, first-contact timers), of a customer's change (interactions; a follow-up is a first
contact), the first-contact deadline, and a deactivated user's handover. Each is idempotent:
a replayed record, a refired timer or a retried job step changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..automation import service as automation
from ..core import (
    JobStep,
    Notice,
    PreconditionFailed,
    Timer,
    logger,
    parse_time,
    remember_all,
    remembered,
    timer_backend,
)
from ..directory import service as directory
from . import assignment_store, rules, store
from .assignment_service import give
from .service import mark_contacted

AREA = "leads"
HANDOVER_JOB = "leads.handover"
HANDOVER_PAGE = 50
MANAGER_TASK_DUE = timedelta(hours=4)
SAVE_ATTEMPTS = 3


def timer_for(tenant_id: str, lead: Mapping[str, Any]) -> Timer:
    assignment = int(lead.get("assignment") or 0)
    return Timer(
        kind=rules.FIRST_CONTACT_TIMER,
        name=rules.timer_name(tenant_id, str(lead["lead_id"]), assignment),
        tenant_id=tenant_id,
        deadline=parse_time(lead["first_contact_due_at"]),
        data={"lead_id": str(lead["lead_id"]), "assignment": assignment},
    )


def on_lead_changed(notice: Notice, now: datetime) -> None:
    """Move the reps' open-lead counts (once per stream record) and start or stop the lead's
    first-contact timer."""
    old, new = notice.old, notice.new
    moves = rules.load_moves(old, new)
    if moves:
        assignment_store.move_counts(notice.tenant_id, notice.key, moves, now)
    plan = rules.plan_timer(old, new)
    lead_id = notice.subject_id
    if plan.cancel is not None:
        timer_backend().cancel(
            notice.tenant_id, rules.timer_name(notice.tenant_id, lead_id, plan.cancel)
        )
    if plan.arm is not None and new is not None:
        timer_backend().arm(timer_for(notice.tenant_id, new))


def _interactions_moved(notice: Notice) -> bool:
    old = dict((notice.old or {}).get("aggregates") or {})
    new = dict((notice.new or {}).get("aggregates") or {})
    watched = ("interaction_count", "last_followup_at")
    return notice.new is not None and any(old.get(k) != new.get(k) for k in watched)


def _open_lead_key(tenant_id: str, customer_id: str) -> tuple[str, str, str]:
    """A customer's open lead as a stream batch remembers it (core/batch_cache.py)."""
    return ("leads.open_lead", tenant_id, customer_id)


def before_customers_changed(notices: Sequence[Notice], now: datetime) -> None:
    """Before a stream batch is followed: the open lead of every customer whose interactions
    moved, read at once (one BatchGetItem per tenant and 100 customers)."""
    wanted: dict[str, list[str]] = {}
    for notice in notices:
        if _interactions_moved(notice):
            wanted.setdefault(notice.tenant_id, []).append(notice.subject_id)
    for tenant_id, ids in wanted.items():
        found = store.open_leads_of(tenant_id, list(dict.fromkeys(ids)))
        remember_all({_open_lead_key(tenant_id, c): lead for c, lead in found.items()})


def on_customer_changed(notice: Notice, now: datetime) -> None:
    """A customer's interactions moved: its open lead counts them, and a follow-up (an outbound
    interaction) after the lead was assigned is its first contact."""
    if not _interactions_moved(notice):
        return
    new = dict((notice.new or {}).get("aggregates") or {})
    old = dict((notice.old or {}).get("aggregates") or {})
    key = _open_lead_key(notice.tenant_id, notice.subject_id)
    lead_id = remembered(key, lambda: store.open_lead_of(notice.tenant_id, notice.subject_id))
    if lead_id is None:
        return
    for _attempt in range(SAVE_ATTEMPTS):
        item = store.get_lead(notice.tenant_id, lead_id, consistent=True)
        if item is None or item.status not in rules.OPEN:
            return
        changed = False
        count = int(new.get("interaction_count") or 0)
        if count > int(item.interactions or 0):
            item.interactions, changed = count, True
        followed = new.get("last_followup_at")
        if (
            followed
            and followed != old.get("last_followup_at")
            and item.assigned_at is not None
            and item.first_contacted_at is None
            and parse_time(followed) >= item.assigned_at
        ):
            mark_contacted(item, parse_time(followed), now, logged=False)
            changed = True
        if not changed:
            return
        item.updated_at = now
        try:
            store.save_lead(item)
        except PreconditionFailed:
            continue
        return


def on_first_contact_timer(timer: Timer, now: datetime) -> dict[str, Any]:
    """Nobody contacted the lead in time: back to its team's pool, and its manager is told
    (a task; the stream raises Lead Recycled)."""
    data = timer.data
    lead_id, assignment = str(data["lead_id"]), int(data["assignment"])
    for _attempt in range(SAVE_ATTEMPTS):
        item = store.get_lead(timer.tenant_id, lead_id, consistent=True)
        if item is None:
            return {"status": "lead_gone"}
        if item.status == "recycled" and int(item.assignment) == assignment:
            _tell_manager(item, now)  # a retry after the lead was recycled
            return {"status": "recycled_already"}
        if not rules.missed_first_contact(item.attribute_values, assignment, now):
            return {"status": "not_due_or_contacted"}
        owner = str(item.owner_id)
        item.previous_owner_id = owner
        item.manager_id = directory.manager_of(timer.tenant_id, owner)
        item.owner_id = None
        item.status = "recycled"
        item.first_contact_due_at = None
        item.recycled_count = int(item.recycled_count or 0) + 1
        item.updated_at = now
        try:
            store.save_lead(item)
        except PreconditionFailed:
            continue
        _tell_manager(item, now)
        return {"status": "recycled", "manager_id": item.manager_id}
    return {"status": "kept_changing"}


def _tell_manager(item: store.LeadItem, now: datetime) -> None:
    if not item.manager_id:
        logger.warning("Recycled lead with no manager to tell", extra={"lead_id": item.lead_id})
        return
    who = item.name or item.company or item.lead_id
    automation.open_task(
        item.tenant_id,
        item.customer_id,
        f"Lead {who} was not contacted in time by {item.previous_owner_id}: reassign it",
        assignee_id=str(item.manager_id),
        key=f"lead-recycled:{item.tenant_id}:{item.lead_id}:{item.assignment}",
        due_at=now + MANAGER_TASK_DUE,
        kind="leads.recycled",
        link=f"/v1/leads/{item.lead_id}",
        at=now,
    )


# --- a deactivated user's handover -------------------------------------------------------------


def start_handover(notice: Notice, now: datetime) -> str:
    """Start the job that gives the user's open leads to their manager (once per deactivation)."""
    return directory.start_handover(notice, AREA, HANDOVER_JOB, now)


def handover_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of the user's leads of one open status (one Query on gsi1 each): each moves to
    the manager, on the condition that it is still the user's (its version)."""
    user_id, manager_id = directory.handover_of(job)
    if not manager_id:
        logger.warning("Handover without anyone to take the leads", extra={"job": job.job_id})
        return JobStep(None, 0)
    owned = ("assigned", "contacted")
    position = dict(cursor or {"status": 0})
    index = int(position.get("status", 0))
    page = store.leads_page(
        job.tenant_id, "OWNER", user_id, owned[index], HANDOVER_PAGE, position.get("key")
    )
    moved = sum(_hand_over(item, user_id, str(manager_id), now) for item in page.items)
    if page.last_key:
        return JobStep({"status": index, "key": page.last_key}, moved)
    if index + 1 < len(owned):
        return JobStep({"status": index + 1}, moved)
    return JobStep(None, moved)


def _hand_over(item: store.LeadItem, user_id: str, manager_id: str, now: datetime) -> int:
    if item.owner_id != user_id or item.status not in rules.OPEN:
        return 0
    give(item, manager_id, item.team_id, f"handed over from {user_id} (deactivated)", now)
    item.updated_at = now
    try:
        store.save_lead(item)
    except PreconditionFailed:
        return 0  # it changed meanwhile: its new state is whoever changed it's
    return 1
