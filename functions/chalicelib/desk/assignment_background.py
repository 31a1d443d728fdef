"""What assignment does off the request path: the stream's follow-up of a ticket's change (the
agents' load moves; a new ticket is assigned by the rules), and the job that re-queues an
agent's open tickets when they go unavailable or are deactivated. Each is idempotent: a retried
stream record moves no load twice and assigns an assigned ticket no more; a retried job step
moves only tickets still held by the agent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core import Conflict, JobStep, Notice, logger
from ..directory import service as directory
from . import assignment
from . import assignment_store as store
from . import service as desk
from .assignment_service import REQUEUE_JOB, assign, decide

AREA = "desk"
AUTO = "assignment rules"
REQUEUE_PAGE = 25
MAX_ROUNDS = 400  # 10,000 tickets: a page that moves nothing twice in a row ends it anyway
ASSIGN_ATTEMPTS = 3


def images(notice: Notice) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """The ticket before and after the change (None: created / deleted)."""
    payload = notice.new or {}
    if "after" in payload or "before" in payload:
        return payload.get("before"), payload.get("after")
    return notice.old, notice.new


def on_ticket_changed(notice: Notice, now: datetime) -> None:
    """Move the agents' load (once per stream record); a new ticket nobody holds is assigned."""
    before, after = images(notice)
    moves = assignment.load_moves(before, after)
    if moves:
        store.move_loads(notice.tenant_id, notice.key, moves, now)
    if before is None and after is not None and not after.get("assignee_id"):
        auto_assign(notice.tenant_id, str(after.get("ticket_id") or notice.subject_id), now)


def auto_assign(tenant_id: str, ticket_id: str, now: datetime) -> str | None:
    """Assign a ticket nobody holds by the tenant's rules; a ticket someone took meanwhile (or a
    replayed notice of one assigned already) is left alone. Returns the assignee."""
    for _attempt in range(ASSIGN_ATTEMPTS):
        ticket = desk.get_ticket(tenant_id, ticket_id)
        if ticket is None or ticket.assignee_id or ticket.status not in assignment.OPEN_STATUSES:
            return None
        decision = decide(tenant_id, ticket.model_dump(mode="json"), now)
        if decision.assignee_id is None and decision.queue == ticket.queue:
            return None
        try:
            assign(tenant_id, ticket_id, decision, by=AUTO, now=now)
        except Conflict:
            continue  # it moved on: read it again
        return decision.assignee_id
    logger.warning("A new ticket kept changing; left unassigned", extra={"ticket_id": ticket_id})
    return None


# --- an agent's open tickets, re-queued ---------------------------------------------------------


def start_handover(notice: Notice, now: datetime) -> str:
    """A deactivated agent: the job re-queuing their open tickets (once per deactivation)."""
    return directory.start_handover(notice, AREA, REQUEUE_JOB, now)


def _still_away(job: Any, user_id: str, params: Mapping[str, Any]) -> bool:
    """An availability job runs while the agent stays unavailable under this very job."""
    if not params.get("unavailable"):
        return True  # a deactivation
    item = store.get_load(job.tenant_id, user_id)
    return item is not None and item.available is False and item.requeue_job_id == job.job_id


def requeue_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of the agent's open tickets (one Query by assignee): each goes to whom the rules
    choose now, the agent excluded, or waits in its queue; a ticket that moved on meanwhile is
    left to whoever moved it."""
    params = job.params.as_dict() if hasattr(job.params, "as_dict") else dict(job.params)
    user_id = str(params["user_id"])
    if not _still_away(job, user_id, params):
        return JobStep(None, 0)
    held = [t for t in desk.open_tickets_of(job.tenant_id, user_id) if t.assignee_id == user_id]
    page = held[:REQUEUE_PAGE]
    moved = sum(_requeue(job.tenant_id, ticket, user_id, now) for ticket in page)
    rounds = int((cursor or {}).get("round", 0)) + 1
    if len(held) > len(page) and (moved or rounds == 1) and rounds < MAX_ROUNDS:
        return JobStep({"round": rounds}, moved)
    return JobStep(None, moved)


def _requeue(tenant_id: str, ticket: Any, user_id: str, now: datetime) -> int:
    facts = ticket.model_dump(mode="json")
    decision = decide(tenant_id, facts, now, queue=ticket.queue, exclude=(user_id,))
    why = f"re-queued from {user_id}: {decision.reason}"
    try:
        assign(
            tenant_id,
            ticket.ticket_id,
            assignment.Decision(decision.assignee_id, decision.queue, why),
            by=AUTO,
            now=now,
        )
    except Conflict:
        return 0  # it changed meanwhile: its new state is whoever changed it's
    return 1
