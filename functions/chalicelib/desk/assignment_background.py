"""What assignment does off the request path: the stream's follow-up of a ticket's change (the
agents' load moves; a new ticket, or one its agent let go, is assigned by the rules), and the
job that re-queues an agent's open tickets when they go unavailable (and, back, the one that
gives their queues' waiting tickets out). Each is idempotent: a retried stream record moves no
load twice and assigns an assigned ticket no more; a retried job step moves only tickets still
held by the agent, or still waiting.

A deactivated agent's tickets: the desk's handover job (desk-core's `handover`) puts each back
in its queue, unassigned; that change reaches `on_ticket_changed`, which assigns it again by
the rules (the directory no longer offers the deactivated agent).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core import Conflict, JobStep, Notice, logger
from . import assignment
from . import assignment_store as store
from . import service as desk
from .assignment_service import assign, decide

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
    """Move the agents' load (once per stream record); a new ticket nobody holds, or a working
    one its agent let go (handed over, released), is assigned by the rules."""
    before, after = images(notice)
    moves = assignment.load_moves(before, after)
    if moves:
        store.move_loads(notice.tenant_id, notice.key, moves, now)
    if after is None or after.get("assignee_id"):
        return
    ticket_id = str(after.get("ticket_id") or notice.subject_id)
    if before is None:
        auto_assign(notice.tenant_id, ticket_id, now)
    elif before.get("assignee_id") and after.get("status") in assignment.OPEN_STATUSES:
        auto_assign(notice.tenant_id, ticket_id, now, exclude=(str(before["assignee_id"]),))


def auto_assign(
    tenant_id: str, ticket_id: str, now: datetime, *, exclude: tuple[str, ...] = ()
) -> str | None:
    """Assign a ticket nobody holds by the tenant's rules (in its queue when it has one); a
    ticket someone took meanwhile (or a replayed notice of one assigned already) is left alone.
    Returns the assignee."""
    for _attempt in range(ASSIGN_ATTEMPTS):
        ticket = desk.get_ticket(tenant_id, ticket_id)
        if ticket is None or ticket.assignee_id or ticket.status not in assignment.OPEN_STATUSES:
            return None
        facts = ticket.model_dump(mode="json")
        decision = decide(tenant_id, facts, now, queue=ticket.queue, exclude=exclude)
        if decision.assignee_id is None and (
            decision.queue == ticket.queue or store.get_queue(tenant_id, decision.queue) is None
        ):
            return None  # nobody fits: it waits where it is (a queue never defined is no place)
        try:
            assign(tenant_id, ticket_id, decision, by=AUTO, now=now)
        except Conflict:
            continue  # it moved on: read it again
        return decision.assignee_id
    logger.warning("A new ticket kept changing; left unassigned", extra={"ticket_id": ticket_id})
    return None


# --- an agent's open tickets, re-queued ---------------------------------------------------------


def _still_away(job: Any, user_id: str) -> bool:
    """The job runs while the agent stays unavailable under this very job."""
    item = store.get_load(job.tenant_id, user_id)
    return item is not None and item.available is False and item.requeue_job_id == job.job_id


def requeue_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of the agent's open tickets (one Query by assignee): each goes to whom the rules
    choose now, the agent excluded, or waits in its queue; a ticket that moved on meanwhile is
    left to whoever moved it."""
    params = job.params.as_dict() if hasattr(job.params, "as_dict") else dict(job.params)
    user_id = str(params["user_id"])
    if not _still_away(job, user_id):
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


# --- a queue's waiting tickets, given out --------------------------------------------------------


def pull_page(job: Any, cursor: Mapping[str, Any] | None, now: datetime) -> JobStep:
    """One page of the queue's tickets (one Query on the queue index, working ones first): each
    working ticket nobody holds goes to whom the rules choose now; a finished one ends the job."""
    params = job.params.as_dict() if hasattr(job.params, "as_dict") else dict(job.params)
    queue = str(params["queue"])
    system = desk.system_principal(job.tenant_id)
    page = desk.list_tickets(system, {"queue": queue}, REQUEUE_PAGE, (cursor or {}).get("next"))
    given = 0
    for ticket in page.items:
        if ticket.status not in assignment.OPEN_STATUSES:
            return JobStep(None, given)  # the finished ones come after the working ones
        if ticket.assignee_id is None and ticket.queue == queue:
            given += auto_assign(job.tenant_id, ticket.ticket_id, now) is not None
    return JobStep({"next": page.next} if page.next else None, given)
