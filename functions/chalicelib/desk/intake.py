"""What a customer's message from a channel does (`receive`): found once per channel message
id, linked to a customer by identity (an unknown sender becomes a lead customer through the
customers area), joined to its thread's ticket, reopening a resolved ticket within the tenant's
window, or opening a new ticket (linked to the closed one it answers).

The channel message id is a guard item written in the same transaction as the message, so a
redelivered message changes nothing twice.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..core import Conflict, logger
from ..customers import match_service
from ..customers import service as customers
from ..customers.models import CustomerCreate, MatchRequest
from . import rules, store, thread_store
from .desk_settings import settings_of
from .models import InboundMessage, Received, TicketType
from .thread import write_message
from .tickets import new_ticket_item, system_principal

ATTEMPTS = 3
ULID_LENGTH = 26
# The customers area's channel a new customer was first seen from, per desk channel.
SOURCE = {"email": "email", "wechat": "wechat", "wecom": "wechat", "webchat": "web"}
TYPES = {t.value for t in TicketType}


def identities(message: InboundMessage) -> list[dict[str, Any]]:
    """The sender's identities in the customers area's kinds."""
    sender = message.sender
    found: list[dict[str, Any]] = []
    if sender.email:
        found.append({"kind": "email", "value": sender.email})
    if sender.phone:
        found.append({"kind": "phone", "value": sender.phone})
    if sender.wechat_openid:
        found.append({"kind": "wechat_openid", "value": sender.wechat_openid})
    if sender.wecom_userid:
        found.append({"kind": "wecom_id", "value": sender.wecom_userid})
    if sender.device_id:
        found.append({"kind": "external", "value": sender.device_id, "system": "device"})
    return found


def customer_of(tenant_id: str, message: InboundMessage) -> str:
    """The sender's customer: the channel's own answer, an identity match, or a new lead."""
    if message.customer_id:
        return message.customer_id
    system = system_principal(tenant_id)
    known = identities(message)
    if known:
        found = match_service.match_customers(
            system, MatchRequest.model_validate({"identities": known})
        )
        exact = [c for c in found.candidates if c.score >= 100]
        if exact:
            return exact[0].customer.id
    name = message.sender.name or (
        known[0]["value"] if known else f"{message.channel.value} sender"
    )
    request = CustomerCreate.model_validate(
        {
            "name": name[:200],
            "lifecycle_stage": "lead",
            "source": SOURCE.get(message.channel.value, "other"),
            "identities": known,
        }
    )
    try:
        return customers.create_customer(system, request).id
    except Conflict as exc:  # the identity arrived meanwhile: the customer exists now
        existing = exc.extra.get("existing_customer_id")
        if existing:
            return str(existing)
        raise


def _reply_to(message: InboundMessage) -> str:
    data = message.sender.model_dump(exclude_none=True, exclude={"name"})
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _thread_ticket(
    tenant_id: str,
    message: InboundMessage,
    customer_id: str,
    known: dict[str, thread_store.MessageRefItem],
) -> store.TicketItem | None:
    """The ticket the message answers: a known message it refers to, or a ticket id it names
    (of the same customer), following merges."""
    candidates = [known[r].ticket_id for r in message.thread_refs if r in known]
    candidates += [r for r in message.thread_refs if len(r) == ULID_LENGTH and r.isalnum()]
    for ticket_id in candidates:
        item = store.current(tenant_id, ticket_id)
        if item is not None and item.merged_into:
            item = store.current(tenant_id, item.merged_into)
        if item is not None and item.customer_id == customer_id:
            return item
    return None


def _subject(message: InboundMessage) -> str:
    if message.subject.strip():
        return message.subject.strip()[:300]
    first = next((line.strip() for line in message.body.splitlines() if line.strip()), "")
    return (first[:80] or f"{message.channel.value} message").strip()


def _type(message: InboundMessage) -> str:
    if message.type_hint in TYPES:
        return str(message.type_hint)
    return "fault" if message.fault_code or message.channel.value == "device" else "question"


def _open(
    tenant_id: str, message: InboundMessage, customer_id: str, now: datetime, linked: str | None
) -> Received | None:
    """A new ticket with the message as its first; None when the message was in already."""
    item = new_ticket_item(
        tenant_id,
        customer_id,
        now,
        subject=_subject(message),
        description=message.body,
        channel=message.channel.value,
        ticket_type=_type(message),
        language="en" if message.body.isascii() and message.subject.isascii() else "zh",
        created_by=None,
        fault_code=message.fault_code,
        linked_ticket_id=linked,
        reply_to_json=_reply_to(message),
        last_ref=message.external_id,
        attachments_json=store.encode([a.model_dump() for a in message.attachments]),
    )
    from ulid import ULID

    first = thread_store.new_message(
        tenant_id,
        item.ticket_id,
        str(ULID.from_datetime(now)),
        customer_id,
        channel=item.channel,
        author_kind="customer",
        visibility="public",
        automatic=False,
        text=message.body,
        at=now,
        external_id=message.external_id,
        attachments_json=store.encode([a.model_dump() for a in message.attachments]),
    )
    ref = thread_store.new_ref(
        tenant_id, message.external_id, item.ticket_id, first.message_id, now
    )
    if not store.create(item, first, ref):
        return None
    return Received(
        ticket_id=item.ticket_id,
        created=True,
        linked_from=linked,
        message_id=first.message_id,
        customer_id=customer_id,
    )


def _append(
    ticket: store.TicketItem, message: InboundMessage, status: str, now: datetime
) -> Received:
    from ulid import ULID

    ref = thread_store.new_ref(ticket.tenant_id, message.external_id, ticket.ticket_id, None, now)
    ticket.reply_to_json = _reply_to(message) if identities(message) else ticket.reply_to_json
    ticket.last_ref = message.external_id
    reopened = status == rules.REOPENED and ticket.status != rules.REOPENED
    ref.message_id = str(ULID.from_datetime(now))
    written = write_message(
        ticket,
        now,
        text=message.body,
        author_id=None,
        author_kind="customer",
        visibility="public",
        external_id=message.external_id,
        attachments=[a.model_dump() for a in message.attachments],
        status=status,
        new=(ref,),
        message_id=ref.message_id,
    )
    return Received(
        ticket_id=ticket.ticket_id,
        reopened=reopened,
        message_id=written.message_id,
        customer_id=ticket.customer_id,
    )


def receive(tenant_id: str, message: InboundMessage, now: datetime) -> Received:
    """A customer's message from a channel into a ticket, once per channel message id."""
    for _ in range(ATTEMPTS):
        known = thread_store.refs(tenant_id, [message.external_id, *message.thread_refs])
        if message.external_id in known:
            return Received(ticket_id=known[message.external_id].ticket_id, duplicate=True)
        customer_id = customer_of(tenant_id, message)
        ticket = _thread_ticket(tenant_id, message, customer_id, known)
        if ticket is None:
            done = _open(tenant_id, message, customer_id, now, None)
        else:
            decision = rules.inbound_decision(
                ticket.status, ticket.resolved_at, now, settings_of(tenant_id).reopen_window_days
            )
            if decision == rules.NEW_LINKED:
                done = _open(tenant_id, message, customer_id, now, ticket.ticket_id)
            else:
                status = (
                    rules.REOPENED
                    if decision == rules.REOPEN
                    else rules.status_after_customer_message(ticket.status)
                )
                try:
                    done = _append(ticket, message, status, now)
                except store.Raced:
                    done = None
        if done is not None:
            return done
        logger.info("A channel message raced another write; trying again")
    known = thread_store.refs(tenant_id, [message.external_id])
    if message.external_id in known:
        return Received(ticket_id=known[message.external_id].ticket_id, duplicate=True)
    raise Conflict("The ticket kept changing while the message was received; send it again.")
