"""Use cases of tickets: read (as the caller may), open, list by one index, change (If-Match,
status by the rules, priority with a reason), assign; read, decide with `rules`, write through
`store`. Other desk parts reach these through `desk.service`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..core import (
    Forbidden,
    NotFound,
    Principal,
    Role,
    ValidationFailed,
    check_version,
    decode_cursor,
    encode_cursor,
    require_role,
)
from ..customers import service as customers
from . import priorities, rules, store
from .models import (
    Ticket,
    TicketCreate,
    TicketPage,
    TicketPatch,
)
from .views import to_ticket

SYSTEM = "system"


def system_principal(tenant_id: str) -> Principal:
    """Who the desk acts as when a channel or a timer does the work."""
    return Principal(tenant_id, SYSTEM, frozenset({Role.ADMIN}))


def sla_of(tenant_id: str, ticket_id: str) -> dict[str, Any] | None:
    """The SLA part's view of the ticket (None until that part is in)."""
    try:
        from . import sla_service  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    view: dict[str, Any] | None = sla_service.sla_view(tenant_id, ticket_id)
    return view


# --- reading ----------------------------------------------------------------------------------


def get_ticket(tenant_id: str, ticket_id: str) -> Ticket | None:
    """A ticket as it is now, with its text (for the desk's other parts; no caller checks)."""
    item = store.current(tenant_id, ticket_id)
    return to_ticket(item, None) if item is not None else None


def visible_item(principal: Principal, ticket_id: str) -> store.TicketItem:
    """The ticket if the caller may read it, else 404 (not telling it exists)."""
    item = store.find(principal.tenant_id, ticket_id)
    if item is None or not may_read(principal, item):
        raise NotFound(f"No ticket {ticket_id}.", field="ticket_id")
    return item


def may_read(principal: Principal, item: store.TicketItem) -> bool:
    scope = rules.read_scope(principal)
    sees = scope == "visible_customer" and bool(
        customers.visible_customers(principal, [item.customer_id])
    )
    return rules.can_read_ticket(principal, item.attribute_values, sees)


def workable_item(
    principal: Principal, ticket_id: str, expected: int | None = None
) -> store.TicketItem:
    """The ticket as it is now, if the caller may read it (404) and work on it (403)."""
    item = store.reload(visible_item(principal, ticket_id))
    if item is None:
        raise NotFound(f"No ticket {ticket_id}.", field="ticket_id")
    if not rules.can_work_on(principal, item.attribute_values, queue_team(principal, item.queue)):
        raise Forbidden("The ticket is another agent's or another queue's.")
    check_version(expected, item.version)
    return item


def queue_team(principal: Principal, queue: str | None) -> str | None:
    """The team of the tenant's queue a ticket waits in (one GetItem), when the caller is an
    agent who might work there; None for a queue the tenant has not defined."""
    if queue is None or not principal.has(Role.SERVICE_AGENT):
        return None
    from .assignment_store import get_queue

    found = get_queue(principal.tenant_id, queue)
    return found.team_id if found is not None and found.team_id else None


def read_ticket(principal: Principal, ticket_id: str) -> Ticket:
    from .sla_service import ticket_with_sla

    # The ticket and its SLA state share gsi1: one Query for the whole view.
    item, sla = ticket_with_sla(principal.tenant_id, ticket_id)
    if item is None or not may_read(principal, item):
        raise NotFound(f"No ticket {ticket_id}.", field="ticket_id")
    return to_ticket(item, principal, sla)


FILTERS = ("status", "queue", "assignee", "customer")
FACETS = {"status": "TSTATUS", "queue": "TQUEUE", "assignee": "TASSIGNEE"}


def list_tickets(
    principal: Principal, filters: dict[str, str], limit: int, cursor: str | None
) -> TicketPage:
    """Tickets by one filter (one Query on its index): status, queue, assignee or customer."""
    given = [name for name in FILTERS if filters.get(name)]
    if len(given) != 1:
        raise ValidationFailed(
            "Filter by exactly one of status, queue, assignee, customer.", field="status"
        )
    name, value = given[0], filters[given[0]]
    scope = rules.read_scope(principal)
    if scope == "customer" and (name != "customer" or value != principal.customer_id):
        raise Forbidden("A customer contact lists its own customer's tickets only.")
    if scope == "visible_customer":
        if name != "customer":
            raise Forbidden("Sales roles list tickets by customer.")
        if not customers.visible_customers(principal, [value]):
            raise NotFound(f"No customer {value}.", field="customer")
    if scope == "none":
        raise Forbidden("Your role does not read tickets.")
    key = f"{principal.tenant_id}|{principal.user_id}|tickets|{name}|{value}"
    start = decode_cursor(cursor, key)
    if name == "customer":
        page = store.of_customer(principal.tenant_id, value, limit, start)
    else:
        page = store.by_facet(principal.tenant_id, FACETS[name], value, limit, start)
    return TicketPage(
        items=[to_ticket(i, principal) for i in page.items if isinstance(i, store.TicketItem)],
        next=encode_cursor(page.last_key, key),
    )


def open_tickets_of(tenant_id: str, assignee_id: str) -> list[Ticket]:
    """An agent's working tickets (one Query on the assignee index)."""
    page = store.by_facet(tenant_id, "TASSIGNEE", assignee_id, None, None, prefix="A#")
    return [to_ticket(i, None) for i in page.items if isinstance(i, store.TicketItem)]


# --- creating ---------------------------------------------------------------------------------


def new_ticket_item(
    tenant_id: str,
    customer_id: str,
    now: datetime,
    *,
    subject: str,
    description: str,
    channel: str,
    ticket_type: str,
    language: str,
    created_by: str | None,
    priority: str | None = None,
    priority_reason: str | None = None,
    **attrs: Any,
) -> store.TicketItem:
    """A new ticket; its priority from the tenant's rules unless one is given."""
    from ulid import ULID

    if priority is None:
        customer = customers.facts_of(tenant_id, customer_id, now)
        facts = {
            "subject": subject,
            "description": description,
            "type": ticket_type,
            "channel": channel,
            "language": language,
            "fault_code": attrs.get("fault_code"),
        }
        priority, by = priorities.decide(tenant_id, facts, customer, now)
        priority_reason = f"rule: {by}" if by else "default"
    return store.new_ticket(
        tenant_id,
        str(ULID()),
        customer_id,
        subject=subject or "(no subject)",
        description=description,
        channel=channel,
        ticket_type=ticket_type,
        priority=priority,
        priority_reason=priority_reason,
        status=rules.NEW,
        language=language,
        created_at=now,
        updated_at=now,
        created_by=created_by,
        **attrs,
    )


def create_ticket(principal: Principal, body: TicketCreate) -> Ticket:
    """A ticket an agent (or an API client) opens for a customer it may see."""
    require_role(principal, *rules.AGENTS)
    if not customers.visible_customers(principal, [body.customer_id]):
        raise NotFound(f"No customer {body.customer_id}.", field="customer_id")
    if body.priority is not None and body.priority_reason is None:
        raise ValidationFailed("Choosing a priority needs a reason.", field="priority_reason")
    now = store.now()
    item = new_ticket_item(
        principal.tenant_id,
        body.customer_id,
        now,
        subject=body.subject,
        description=body.description,
        channel=body.channel.value,
        ticket_type=body.type.value,
        language=body.language.value,
        created_by=principal.user_id,
        priority=body.priority.value if body.priority else None,
        priority_reason=body.priority_reason,
        assignee_id=body.assignee_id,
        queue=body.queue,
    )
    store.create(item)
    return to_ticket(item, principal)


# --- changing ---------------------------------------------------------------------------------


def apply_status(item: store.TicketItem, status: str, now: datetime) -> None:
    rules.check_move(item.status, status)
    for name, value in rules.stamps_for(item.status, status, now).items():
        setattr(item, name, value)
    item.status = status


def patch_ticket(
    principal: Principal, ticket_id: str, patch: TicketPatch, expected: int | None
) -> Ticket:
    """Change a ticket (If-Match); a new priority needs a reason; status moves by the rules."""
    require_role(principal, *rules.AGENTS)
    item = workable_item(principal, ticket_id, expected)
    now = store.now()
    changes = patch.model_dump(exclude_unset=True, mode="json")
    moved = "priority" in changes and changes["priority"] != item.priority
    if moved and not patch.priority_reason:
        raise ValidationFailed("Changing the priority needs a reason.", field="priority_reason")
    for name in ("subject", "sla_policy", "language", "assignee_id", "queue"):
        if name in changes:
            setattr(item, name, changes[name])
    if patch.type is not None:
        item.ticket_type = patch.type.value
    if patch.priority is not None and patch.priority.value != item.priority:
        item.priority, item.priority_reason = patch.priority.value, patch.priority_reason
    if patch.status is not None:
        apply_status(item, patch.status.value, now)
    store.save(item, now)
    return to_ticket(item, principal, sla_of(principal.tenant_id, ticket_id))


def _change(
    tenant_id: str, ticket_id: str, now: datetime, edit: Callable[[store.TicketItem], None]
) -> store.TicketItem:
    """Read the ticket, edit it, write it on its version; once more if another writer won."""
    for attempt in range(3):
        item = store.current(tenant_id, ticket_id)
        if item is None:
            raise NotFound(f"No ticket {ticket_id}.", field="ticket_id")
        edit(item)
        try:
            return store.save(item, now)
        except store.Raced:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def set_assignment(
    tenant_id: str,
    ticket_id: str,
    *,
    assignee_id: str | None,
    queue: str | None,
    reason: str,
    by: str,
    now: datetime,
) -> Ticket:
    """Assign (or re-queue) a ticket; a conditional write: Conflict when the ticket moved on
    (finished, or changed since it was read)."""
    from ..core import Conflict

    item = store.current(tenant_id, ticket_id)
    if item is None:
        raise NotFound(f"No ticket {ticket_id}.", field="ticket_id")
    if not rules.is_working(item.status):
        raise Conflict(f"The ticket is {item.status}; it is not assigned any more.")
    item.assignee_id, item.queue = assignee_id, queue
    item.assignment_reason, item.assigned_by = reason, by
    try:
        store.save(item, now)
    except store.Raced:
        raise Conflict("The ticket changed meanwhile; read it again.") from None
    return to_ticket(item, None)


def resolve_by_customer(tenant_id: str, ticket_id: str, now: datetime) -> Ticket:
    """The customer confirmed an automatic answer solved it: resolved."""

    def edit(item: store.TicketItem) -> None:
        if item.status != rules.RESOLVED:
            apply_status(item, rules.RESOLVED, now)

    return to_ticket(_change(tenant_id, ticket_id, now, edit), None)


def back_to_agent(tenant_id: str, ticket_id: str, now: datetime) -> Ticket:
    """The automatic answer did not help: the ticket goes (back) to the agents as open."""

    def edit(item: store.TicketItem) -> None:
        if item.status in (rules.NEW, rules.PENDING, rules.ON_HOLD):
            apply_status(item, rules.OPEN, now)

    return to_ticket(_change(tenant_id, ticket_id, now, edit), None)


def change_status(tenant_id: str, ticket_id: str, status: str, now: datetime) -> Ticket:
    """A status change on the system's behalf (timers, other desk parts)."""

    def edit(item: store.TicketItem) -> None:
        if item.status != status:
            apply_status(item, status, now)

    return to_ticket(_change(tenant_id, ticket_id, now, edit), None)
