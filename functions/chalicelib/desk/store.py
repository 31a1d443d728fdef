"""DynamoDB access of the service desk's core: tickets (their threads and the channels' message
references: `thread_store`). With thread_store, the only modules of the core desk that speak
pynamodb.

A ticket lives in its customer's item collection (the 360 view lists it in its one Query); its
thread and every other part's items about it (SLA state ...) live in the ticket's own
collection, `ticket_pk`. Four overloaded GSIs find tickets by id, status, queue and assignee;
in queue and assignee lists working tickets (`A#`) come before finished ones (`Z#`), latest
first within each, so an agent's open work is one Query on a key prefix.

| pattern                                | index | key condition                                      |
|----------------------------------------|-------|----------------------------------------------------|
| a customer's tickets, latest first     | table | pk=T#t#C#<customer>, sk begins_with TICKET#        |
|   (360 section, ?customer=)            |       |   (sk=TICKET#<inverted ms>#<id>)                   |
| a ticket by id (get)                   | gsi1  | gsi1pk=T#t#TICKET#<id>, gsi1sk=TICKET              |
| tickets by status, latest first        | gsi2  | gsi2pk=T#t#TSTATUS#<status>, gsi2sk=<inv ms>#<id>  |
| tickets of a queue                     | gsi3  | gsi3pk=T#t#TQUEUE#<queue>, gsi3sk=A|Z#<inv ms>#<id> |
| tickets of an assignee (open: A#)      | gsi4  | gsi4pk=T#t#TASSIGNEE#<user>, gsi4sk=A|Z#<inv ms>#<id> |
| a ticket's thread, message references  | (thread_store)                                     |

Every ticket change is a conditional write on `version`; a message and the ticket's new state
(first response, status) are one transaction, as are merges and splits. (Settings, priority
rules and saved replies: `setup_store`.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from pynamodb.attributes import (
    Attribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..core import (
    CrmItem,
    Page,
    PreconditionFailed,
    customer_pk,
    gsi_pk,
    inverted_millis,
    query_page,
)

TICKET = "TICKET#"
CONDITION_FAILED = "ConditionalCheckFailedException"
MAX_TRANSACTION = 100


class Raced(PreconditionFailed): ...  # a lost race: read the ticket again


class TicketItem(CrmItem, discriminator="Ticket"):
    ticket_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    subject = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    channel = UnicodeAttribute()
    ticket_type = UnicodeAttribute(attr_name="ticket_type")
    priority = UnicodeAttribute()
    priority_reason = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    assignee_id = UnicodeAttribute(null=True)
    queue = UnicodeAttribute(null=True)
    assignment_reason = UnicodeAttribute(null=True)  # why the last assignment chose this
    assigned_by = UnicodeAttribute(null=True)  # who made it (a user, the rules, a job)
    sla_policy = UnicodeAttribute(null=True)
    language = UnicodeAttribute(default="zh")
    fault_code = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute(null=True)
    first_response_at = UTCDateTimeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    reopened_at = UTCDateTimeAttribute(null=True)
    linked_ticket_id = UnicodeAttribute(null=True)
    merged_into = UnicodeAttribute(null=True)
    attachments_json = UnicodeAttribute(default="[]")
    # Where the channel answers the customer ({email, wechat_openid, ...}) and the last
    # channel message id they sent (mail threads answers to it).
    reply_to_json = UnicodeAttribute(default="{}")
    last_ref = UnicodeAttribute(null=True)
    version = cast("Attribute[int]", NumberAttribute(default=1))


def now() -> datetime:
    return datetime.now(UTC)


def ticket_pk(tenant_id: str, ticket_id: str) -> str:
    """The ticket's own item collection: its thread and the other desk parts' items about it."""
    return gsi_pk(tenant_id, "TICKET", ticket_id)


# --- tickets ----------------------------------------------------------------------------------


def _order(item: TicketItem) -> str:
    return f"{inverted_millis(item.created_at)}#{item.ticket_id}"


def index(item: TicketItem) -> None:
    """Set the index keys from the ticket's status, queue and assignee."""
    tenant, state = item.tenant_id, "A#" if item.status not in ("resolved", "closed") else "Z#"
    item.gsi2pk, item.gsi2sk = gsi_pk(tenant, "TSTATUS", item.status), _order(item)
    item.gsi3pk = gsi_pk(tenant, "TQUEUE", item.queue) if item.queue else None
    item.gsi3sk = f"{state}{_order(item)}" if item.queue else None
    item.gsi4pk = gsi_pk(tenant, "TASSIGNEE", item.assignee_id) if item.assignee_id else None
    item.gsi4sk = f"{state}{_order(item)}" if item.assignee_id else None


def new_ticket(tenant_id: str, ticket_id: str, customer_id: str, **attrs: Any) -> TicketItem:
    item = TicketItem(
        pk=customer_pk(tenant_id, customer_id),
        sk=f"{TICKET}{inverted_millis(attrs['created_at'])}#{ticket_id}",
        tenant_id=tenant_id,
        ticket_id=ticket_id,
        customer_id=customer_id,
        gsi1pk=ticket_pk(tenant_id, ticket_id),
        gsi1sk="TICKET",
        **attrs,
    )
    index(item)
    return item


def find(tenant_id: str, ticket_id: str) -> TicketItem | None:
    """A ticket by id alone (one Query on gsi1; eventually consistent)."""
    for item in TicketItem.by_gsi1.query(ticket_pk(tenant_id, ticket_id), limit=1):
        if isinstance(item, TicketItem):
            return item
    return None


def current(tenant_id: str, ticket_id: str) -> TicketItem | None:
    """A ticket as the table holds it now (gsi1 for its key, then a consistent GetItem)."""
    found = find(tenant_id, ticket_id)
    return reload(found) if found is not None else None


def reload(item: TicketItem) -> TicketItem | None:
    """The ticket as the table holds it now (a consistent GetItem: the index may lag)."""
    try:
        return TicketItem.get(item.pk, item.sk, consistent_read=True)
    except TicketItem.DoesNotExist:
        return None


def of_customer(
    tenant_id: str, customer_id: str, limit: int | None, start_key: dict[str, Any] | None
) -> Page:
    return query_page(
        TicketItem.query,
        customer_pk(tenant_id, customer_id),
        TicketItem.sk.startswith(TICKET),
        limit=limit,
        start_key=start_key,
    )


_INDEXES: dict[str, Any] = {
    "TSTATUS": (TicketItem.by_gsi2, TicketItem.gsi2sk),
    "TQUEUE": (TicketItem.by_gsi3, TicketItem.gsi3sk),
    "TASSIGNEE": (TicketItem.by_gsi4, TicketItem.gsi4sk),
}


def by_facet(
    tenant_id: str, facet: str, value: str, limit: int | None, start_key: Any, prefix: str = ""
) -> Page:
    """One page of tickets by status, queue or assignee (one Query on its index)."""
    chosen, sort_key = _INDEXES[facet]
    condition = sort_key.startswith(prefix) if prefix else None
    return query_page(
        chosen.query, gsi_pk(tenant_id, facet, value), condition, limit=limit, start_key=start_key
    )


def create(item: TicketItem, first: CrmItem | None = None, ref: CrmItem | None = None) -> bool:
    """Write a new ticket (with its first message and its channel reference) at once; False
    when the reference exists already (the message was received before)."""
    try:
        with TransactWrite(connection=CrmItem._get_connection().connection) as tx:
            tx.save(item, condition=TicketItem.pk.does_not_exist())
            if first is not None:
                tx.save(first, condition=CrmItem.pk.does_not_exist())
            if ref is not None:
                tx.save(ref, condition=CrmItem.pk.does_not_exist())
    except TransactWriteError:
        return False
    return True


def _bump(item: TicketItem, at: datetime) -> int:
    read = item.version
    item.version = read + 1
    item.updated_at = at
    index(item)
    return read


def save(item: TicketItem, at: datetime) -> TicketItem:
    """Write a changed ticket if nobody changed it since it was read (else Raced, a 412)."""
    read = _bump(item, at)
    try:
        item.save(condition=TicketItem.version == read)
    except PutError as exc:
        item.version = read
        if exc.cause_response_code == CONDITION_FAILED:
            raise Raced("The ticket changed meanwhile; fetch it again.", field="If-Match") from None
        raise
    return item


def write_together(
    tickets: Sequence[TicketItem],
    at: datetime,
    puts: Sequence[CrmItem] = (),
    deletes: Sequence[CrmItem] = (),
    new: Sequence[CrmItem] = (),
) -> None:
    """Changed tickets (each on its version) and other items in one transaction (Raced when a
    ticket moved meanwhile or a new item exists already: nothing is written)."""
    reads = [_bump(t, at) for t in tickets]

    def save_tickets(tx: TransactWrite) -> None:
        for ticket, read in zip(tickets, reads, strict=True):
            tx.save(ticket, condition=TicketItem.version == read)

    def unbump() -> None:
        for ticket, read in zip(tickets, reads, strict=True):
            ticket.version = read

    _transact(len(tickets), save_tickets, puts=puts, deletes=deletes, new=new, refused=unbump)


def touch_together(
    ticket: TicketItem, at: datetime, puts: Sequence[CrmItem] = (), new: Sequence[CrmItem] = ()
) -> None:
    """Items about a ticket that change nothing of it (a note, a later reply), written with a
    touch of the ticket (version + 1, updated_at) in one transaction, on the condition that
    its status is still the one read (and it was not merged): concurrent ones never refuse
    each other; Raced when the ticket moved on or a new item exists already."""
    condition = (TicketItem.status == ticket.status) & TicketItem.merged_into.does_not_exist()

    def touch(tx: TransactWrite) -> None:
        tx.update(
            ticket,
            actions=[TicketItem.version.add(1), TicketItem.updated_at.set(at)],
            condition=condition,
        )

    _transact(1, touch, puts=puts, new=new)


def _transact(
    tickets: int,
    write_tickets: Callable[[TransactWrite], None],
    *,
    puts: Sequence[CrmItem] = (),
    deletes: Sequence[CrmItem] = (),
    new: Sequence[CrmItem] = (),
    refused: Callable[[], None] | None = None,
) -> None:
    """The tickets' writes and the other items in one transaction: `new` ones only where
    nothing is, `puts` as they are, `deletes` gone. Raced (after `refused`) when a condition
    failed: nothing is written."""
    if tickets + len(puts) + len(deletes) + len(new) > MAX_TRANSACTION:
        raise ValueError("too many items for one transaction")
    try:
        with TransactWrite(connection=CrmItem._get_connection().connection) as tx:
            write_tickets(tx)
            for item in new:
                tx.save(item, condition=CrmItem.pk.does_not_exist())
            for item in puts:
                tx.save(item)
            for item in deletes:
                tx.delete(item)
    except TransactWriteError:
        if refused is not None:
            refused()
        raise Raced("The ticket changed meanwhile; try again.", field="If-Match") from None


class WithAttachments(Protocol):
    """A ticket or a message: both keep their attachments as JSON."""

    @property
    def attachments_json(self) -> str | None: ...


def attachments(item: WithAttachments) -> list[dict[str, Any]]:
    return list(json.loads(item.attachments_json or "[]"))


def encode(values: list[dict[str, Any]]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))
