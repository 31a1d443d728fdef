"""Use cases of ticket assignment: who takes a ticket by the tenant's rules (the directory's
agents on shift, the stream's loads, the queue's round-robin cursor taken under a condition),
a reassignment by hand, an agent going unavailable or available, and the agents' load.

Who may do what: a ticket is reassigned by an agent of its queue, the queue's supervisor or its
team's manager, or an admin; an agent's availability is set by themself, their manager or an
admin; the load is read by supervisors and team managers (of their queues) and admins.
(Rules: `assignment_rules`; queues: `assignment_queues`.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..core import (
    Conflict,
    Forbidden,
    NotFound,
    Principal,
    Role,
    ValidationFailed,
    start_job,
)
from ..customers import service as customers
from ..directory import service as directory
from . import assignment
from . import assignment_store as store
from . import service as desk
from .assignment_models import (
    AgentAvailability,
    AgentAvailabilityChange,
    AgentLoad,
    AgentLoadPage,
    TicketAssignmentRequest,
)
from .assignment_queues import check_can_assign, supervises
from .assignment_rules import rules_of

TURN_ATTEMPTS = 5
REQUEUE_JOB = "desk.requeue"
PULL_JOB = "desk.pull"
CLOSED = frozenset({"resolved", "closed"})

# --- who takes a ticket -------------------------------------------------------------------------


def facts_of(tenant_id: str, ticket: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """What the rules read: the ticket's facts over its customer's."""
    customer_id = ticket.get("customer_id")
    found = customers.facts_of(tenant_id, str(customer_id), now) if customer_id else None
    return {**(found or {}), **assignment.ticket_facts(ticket)}


def _adviser(tenant_id: str, adviser_id: str, now: datetime) -> assignment.Candidate:
    user = directory.get_user(tenant_id, adviser_id)
    if user is None or not user.active:
        return assignment.Candidate(adviser_id, active=False)
    if user.team_id:
        on_shift = directory.candidates(tenant_id, team_id=user.team_id, on_shift_at=now)
    else:
        on_shift = directory.candidates(tenant_id, region=user.region, on_shift_at=now)
    return assignment.Candidate(
        adviser_id,
        frozenset(user.skills),
        tuple(user.languages),
        on_shift=any(u.user_id == adviser_id for u in on_shift),
    )


def candidates(
    tenant_id: str, queue: store.QueueItem | None, where: assignment.Route, now: datetime
) -> list[assignment.Candidate]:
    """The queue's agents on shift (and the customer's adviser when the rules ask), with the
    load and availability the stream keeps (one Query for every agent's)."""
    users = []
    if queue is not None and queue.team_id:
        users = directory.candidates(
            tenant_id, team_id=queue.team_id, role=assignment.AGENT_ROLE, on_shift_at=now
        )
    loads = {str(i.user_id): i for i in store.loads(tenant_id)} if users or where.adviser_id else {}
    found = [
        assignment.Candidate(u.user_id, frozenset(u.skills), tuple(u.languages))
        for u in users
        if u.user_id != where.adviser_id
    ]
    if where.adviser_id:
        found.append(_adviser(tenant_id, where.adviser_id, now))
    return [_with_load(c, loads.get(c.user_id)) for c in found]


def _with_load(
    candidate: assignment.Candidate, item: store.AgentLoadItem | None
) -> assignment.Candidate:
    if item is None:
        return candidate
    # A load below 0 is a ticket opened before loads were kept, since closed: count it as 0.
    return replace(
        candidate, available=item.available is not False, load=max(0, int(item.load or 0))
    )


def decide(
    tenant_id: str,
    ticket: Mapping[str, Any],
    now: datetime,
    *,
    queue: str | None = None,
    exclude: Iterable[str] = (),
    adviser: bool = True,
) -> assignment.Decision:
    """Who takes the ticket by the tenant's rules (in `queue` when one is named; without the
    customer's adviser when `adviser` is false); a round-robin turn is taken under a condition,
    so two assignments at once never take the same turn."""
    where = assignment.route(facts_of(tenant_id, ticket, now), rules_of(tenant_id), now)
    if queue is not None and queue != where.queue:
        # Another queue than the rules': their skill was asked of that queue's agents; a level
        # (seniority for the customer) still holds.
        where = replace(where, queue=queue, skill=None)
    if not adviser:
        where = replace(where, adviser_id=None)
    queue_item = store.get_queue(tenant_id, where.queue)
    skills = list(queue_item.skills or []) if queue_item is not None else []
    found = candidates(tenant_id, queue_item, where, now)
    for _attempt in range(TURN_ATTEMPTS):
        cursor = store.turn(tenant_id, where.queue)
        decision = assignment.pick(where, found, cursor, queue_skills=skills, exclude=exclude)
        if not decision.uses_turn or store.take_turn(tenant_id, where.queue, cursor):
            return decision
    raise Conflict(f"Too many tickets arrived at once for queue {where.queue}; try again.")


def assign(
    tenant_id: str, ticket_id: str, decision: assignment.Decision, *, by: str, now: datetime
) -> Any:
    return desk.set_assignment(
        tenant_id,
        ticket_id,
        assignee_id=decision.assignee_id,
        queue=decision.queue,
        reason=decision.reason,
        by=by,
        now=now,
    )


# --- a reassignment by hand ---------------------------------------------------------------------


def _invalid(field: str, reason: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(
        f"{field}: {reason}.",
        field=field,
        errors=[{"field": field, "reason": reason, "code": code}],
    )


def reassign(
    principal: Principal, ticket_id: str, body: TicketAssignmentRequest, now: datetime
) -> Any:
    """Give a ticket to an agent (in a queue), or to a queue whose agents the rules pick from."""
    require_staff(principal)
    tenant_id = principal.tenant_id
    ticket = desk.read_ticket(principal, ticket_id)  # 404 for a ticket the caller may not see
    check_can_assign(principal, store.get_queue(tenant_id, ticket.queue) if ticket.queue else None)
    if ticket.status in CLOSED:
        raise Conflict(f"Ticket {ticket_id} is {ticket.status}; reopen it first.", field="status")
    if body.queue is not None and store.get_queue(tenant_id, body.queue) is None:
        raise _invalid("queue", f"no queue {body.queue}", "unknown")
    # A ticket the rules have not placed yet goes where they would place it.
    queue = body.queue or ticket.queue
    facts = ticket.model_dump(mode="json")
    reason = f"{body.reason} (by {principal.user_id})"
    if body.assignee_id is not None:
        user = directory.get_user(tenant_id, body.assignee_id)
        if user is None or not user.active:
            raise _invalid("assignee_id", f"no active user {body.assignee_id}", "unknown")
        if queue is None:
            queue = assignment.route(
                facts_of(tenant_id, facts, now), rules_of(tenant_id), now
            ).queue
        decision = assignment.Decision(body.assignee_id, queue, reason)
    else:
        picked = decide(tenant_id, facts, now, queue=queue, adviser=False)
        decision = assignment.Decision(
            picked.assignee_id, picked.queue, f"{reason}; {picked.reason}"
        )
    return assign(tenant_id, ticket_id, decision, by=principal.user_id, now=now)


def require_staff(principal: Principal) -> None:
    """Ticket work is for the tenant's staff: a customer's own people never take it."""
    if principal.has(Role.CUSTOMER_CONTACT):
        raise Forbidden("Customer contacts do not assign tickets.")


# --- availability -------------------------------------------------------------------------------


def _manages(principal: Principal, user_id: str) -> bool:
    return directory.manager_of(principal.tenant_id, user_id) == principal.user_id


def set_availability(
    principal: Principal, user_id: str, body: AgentAvailabilityChange, now: datetime
) -> AgentAvailability:
    """An agent goes unavailable (their open tickets are re-queued by a job) or available (their
    queues' waiting tickets are given out again by a job)."""
    require_staff(principal)
    tenant_id = principal.tenant_id
    oneself = user_id == principal.user_id
    if not oneself and not principal.has(Role.ADMIN) and not _manages(principal, user_id):
        raise Forbidden("Only the agent, their manager or an admin sets their availability.")
    user = directory.get_user(tenant_id, user_id)
    if user is None:
        raise NotFound(f"No user {user_id} in the directory.", field="user_id")
    job_id = None if body.available else requeue_job_id(user_id, now)
    changed = store.set_availability(
        tenant_id,
        user_id,
        body.available,
        reason=body.reason,
        by=principal.user_id,
        now=now,
        job_id=job_id,
    )
    if changed and job_id is not None:
        start_job(
            tenant_id,
            REQUEUE_JOB,
            {"user_id": user_id, "unavailable": True},
            started_by=principal.user_id,
            job_id=job_id,
            now=now,
        )
    if changed and body.available:
        _pull_waiting(principal, user.team_id, now)
    return availability_of(tenant_id, user_id)


def _pull_waiting(principal: Principal, team_id: str | None, now: datetime) -> None:
    """An agent back: their queues' waiting tickets are given out again (a job per queue)."""
    for queue in store.queues(principal.tenant_id):
        if team_id is not None and queue.team_id == team_id:
            start_job(
                principal.tenant_id,
                PULL_JOB,
                {"queue": queue.name},
                started_by=principal.user_id,
                job_id=f"desk-pull.{queue.name}.{int(now.timestamp() * 1000)}",
                now=now,
            )


def requeue_job_id(user_id: str, now: datetime) -> str:
    return f"desk-requeue.{user_id}.{int(now.timestamp() * 1000)}"


def availability_of(tenant_id: str, user_id: str) -> AgentAvailability:
    item = store.get_load(tenant_id, user_id)
    if item is None:
        return AgentAvailability(user_id=user_id, available=True)
    return AgentAvailability(
        user_id=user_id,
        available=item.available is not False,
        since=item.available_since,
        reason=item.availability_reason,
        by=item.availability_by,
        requeue_job_id=item.requeue_job_id if item.available is False else None,
    )


# --- load ---------------------------------------------------------------------------------------


def agent_loads(principal: Principal, queue: str | None) -> AgentLoadPage:
    """Every agent's load (admins), or that of the agents of the queues the caller supervises."""
    require_staff(principal)
    tenant_id = principal.tenant_id
    if queue is not None:
        found = store.get_queue(tenant_id, queue)
        if found is None:
            raise NotFound(f"No queue {queue}.", field="queue")
        watched = [found]
    else:
        watched = store.queues(tenant_id)
    if not principal.has(Role.ADMIN):
        watched = [q for q in watched if supervises(principal, q)]
        if not watched:
            raise Forbidden("The load is for the supervisors of queues and admins.")
    members: set[str] = set()
    for q in watched:
        if q.team_id:
            members |= {
                u.user_id
                for u in directory.candidates(
                    tenant_id, team_id=q.team_id, role=assignment.AGENT_ROLE
                )
            }
    loads = {str(i.user_id): i for i in store.loads(tenant_id)}
    shown = (
        members if (queue is not None or not principal.has(Role.ADMIN)) else members | set(loads)
    )
    return AgentLoadPage(items=[_load_of(u, loads.get(u)) for u in sorted(shown)])


def _load_of(user_id: str, item: store.AgentLoadItem | None) -> AgentLoad:
    if item is None:
        return AgentLoad(user_id=user_id, load=0, open_tickets=0, available=True)
    return AgentLoad(
        user_id=user_id,
        load=max(0, int(item.load or 0)),
        open_tickets=max(0, int(item.open_tickets or 0)),
        available=item.available is not False,
    )
