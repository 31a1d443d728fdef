"""Tickets and messages as callers see them: conversation text only for roles that may read it,
internal notes never for a customer contact."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..core import Principal, parse_time
from . import rules, store, thread_store
from .models import AttachmentRef, Ticket, TicketMessage, TicketSection


def _moment(value: Any) -> Any:
    return None if value is None else parse_time(value)


def ticket_view(
    values: Mapping[str, Any], principal: Principal | None, sla: dict[str, Any] | None = None
) -> Ticket:
    """A ticket from its stored values (an item's attribute_values or a stream image)."""
    text = principal is None or rules.reads_text(principal)
    contact = principal is not None and rules.is_contact(principal)
    return Ticket(
        ticket_id=str(values["ticket_id"]),
        customer_id=str(values["customer_id"]),
        subject=str(values["subject"]) if text else None,
        description=str(values.get("description") or "") if text else None,
        channel=values["channel"],
        type=str(values.get("ticket_type") or "other"),
        priority=values["priority"],
        status=values["status"],
        assignee_id=values.get("assignee_id"),
        queue=None if contact else values.get("queue"),
        sla_policy=None if contact else values.get("sla_policy"),
        language=values.get("language") or "zh",
        created_at=parse_time(values["created_at"]),
        updated_at=parse_time(values["updated_at"]),
        first_response_at=_moment(values.get("first_response_at")),
        resolved_at=_moment(values.get("resolved_at")),
        closed_at=_moment(values.get("closed_at")),
        reopened_at=_moment(values.get("reopened_at")),
        linked_ticket_id=values.get("linked_ticket_id"),
        merged_into=values.get("merged_into"),
        priority_reason=(values.get("priority_reason") if text and not contact else None),
        assignment_reason=None if contact else values.get("assignment_reason"),
        assigned_by=None if contact else values.get("assigned_by"),
        created_by=None if contact else values.get("created_by"),
        attachments=[
            AttachmentRef(**a) for a in json.loads(str(values.get("attachments_json") or "[]"))
        ]
        if text
        else [],
        sla=None if contact else sla,
        version=int(values.get("version") or 1),
    )


def to_ticket(
    item: store.TicketItem, principal: Principal | None, sla: dict[str, Any] | None = None
) -> Ticket:
    return ticket_view(item.attribute_values, principal, sla)


def to_message(item: thread_store.MessageItem, principal: Principal | None) -> TicketMessage:
    text = principal is None or rules.reads_text(principal)
    return TicketMessage(
        message_id=item.message_id,
        ticket_id=item.ticket_id,
        author_id=item.author_id,
        author_kind=item.author_kind,
        visibility=item.visibility,
        automatic=bool(item.automatic),
        text=item.text if text else None,
        at=item.at,
        origin_ticket_id=item.origin_ticket_id,
        attachments=[AttachmentRef(**a) for a in store.attachments(item)] if text else [],
    )


def section_view(values: Mapping[str, Any], principal: Principal) -> TicketSection:
    """The 360 view's `tickets` entry (the principal passed the customer's visibility check)."""
    text = rules.reads_text(principal)
    return TicketSection(
        ticket_id=str(values["ticket_id"]),
        subject=str(values["subject"]) if text else None,
        status=values["status"],
        priority=values["priority"],
        type=str(values.get("ticket_type") or "other"),
        channel=values["channel"],
        assignee_id=values.get("assignee_id"),
        queue=values.get("queue"),
        created_at=parse_time(values["created_at"]),
        updated_at=parse_time(values["updated_at"]),
    )
