"""The desk's reactions to changes of tickets and messages (pure): events, and the notices the
SLA, assignment, survey and report parts follow (`desk.ticket_changed`, `desk.message_added`).

Notices carry the ticket's fields but never conversation text (subject, description, message
text): followers that need it read it through `desk.service`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core import Change, Notice, Reaction
from . import events

TICKET_CHANGED = "desk.ticket_changed"
MESSAGE_ADDED = "desk.message_added"
OUTBOUND = "desk.outbound"  # raised by the outbound item's reaction: a channel sends it

FIELDS = (
    "ticket_id",
    "customer_id",
    "channel",
    "priority",
    "status",
    "assignee_id",
    "queue",
    "sla_policy",
    "language",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "reopened_at",
    "linked_ticket_id",
    "merged_into",
    "fault_code",
    "version",
)


def ticket_fields(image: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A stored ticket as the notice's plain fields (no text)."""
    if image is None:
        return None
    fields = {name: image.get(name) for name in FIELDS}
    fields["type"] = image.get("ticket_type")
    if fields["version"] is not None:
        fields["version"] = int(fields["version"])
    return fields


def _facts(new: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "ticket_id": str(new["ticket_id"]),
        "customer_id": str(new["customer_id"]),
        "channel": str(new["channel"]),
        "type": str(new.get("ticket_type") or "other"),
        "priority": str(new["priority"]),
        "status": str(new["status"]),
        "assignee_id": new.get("assignee_id"),
        "queue": new.get("queue"),
    }


def ticket_changed(change: Change) -> Reaction:
    """Every change: the notice; opened, resolved, reopened and assigned: their events."""
    old, new = change.old, change.new
    if change.event_name == "REMOVE":
        new = None
    reaction = Reaction()
    image = new or old or {}
    reaction.notices.append(
        Notice(
            TICKET_CHANGED,
            change.tenant_id,
            str(image.get("ticket_id", "")),
            ticket_fields(old),
            ticket_fields(new),
            change.event_id,
            change.at,
        )
    )
    if new is None:
        return reaction
    before = old or {}
    facts = _facts(new)
    fields = change.event_fields
    if old is None:
        reaction.events.append(
            events.TicketOpened(
                **fields(events.TicketOpened.DETAIL_TYPE),
                **facts,
                linked_ticket_id=new.get("linked_ticket_id"),
            )
        )
    status, was = new.get("status"), before.get("status")
    if status == "resolved" and was != "resolved":
        reaction.events.append(
            events.TicketResolved(
                **fields(f"{events.TicketResolved.DETAIL_TYPE}/{new.get('resolved_at')}"),
                **facts,
                resolved_at=str(new.get("resolved_at")),
                first_response_at=new.get("first_response_at"),
            )
        )
    if status == "reopened" and was != "reopened":
        reaction.events.append(
            events.TicketReopened(
                **fields(f"{events.TicketReopened.DETAIL_TYPE}/{new.get('reopened_at')}"),
                **facts,
                reopened_at=str(new.get("reopened_at")),
            )
        )
    moved = new.get("assignee_id") != before.get("assignee_id") or (
        new.get("queue") != before.get("queue")
    )
    if moved and (new.get("assignee_id") or new.get("queue")):
        reaction.events.append(
            events.TicketAssigned(
                **fields(events.TicketAssigned.DETAIL_TYPE),
                **facts,
                previous_assignee_id=before.get("assignee_id"),
                previous_queue=before.get("queue"),
                reason=new.get("assignment_reason"),
                assigned_by=new.get("assigned_by"),
            )
        )
    return reaction


def message_changed(change: Change) -> Reaction:
    """A new message: the notice (not for copies made by a merge or split: they were announced
    on their first ticket); a public answer to the customer: `Ticket Replied`."""
    new = change.new
    if new is None or change.event_name != "INSERT" or new.get("origin_ticket_id"):
        return Reaction()
    ticket_id = str(new["ticket_id"])
    payload: dict[str, Any] = {
        "tenant_id": change.tenant_id,
        "ticket_id": ticket_id,
        "message_id": str(new["message_id"]),
        "author_kind": str(new["author_kind"]),
        "author_id": new.get("author_id"),
        "visibility": str(new["visibility"]),
        "automatic": bool(new.get("automatic")),
        "at": str(new["at"]),
        "customer_id": str(new["customer_id"]),
        "channel": str(new["channel"]),
    }
    reaction = Reaction(
        notices=[
            Notice(
                MESSAGE_ADDED,
                change.tenant_id,
                ticket_id,
                None,
                payload,
                change.event_id,
                change.at,
            )
        ]
    )
    if payload["visibility"] == "public" and payload["author_kind"] != "customer":
        reaction.events.append(
            events.TicketReplied(
                **change.event_fields(events.TicketReplied.DETAIL_TYPE),
                ticket_id=payload["ticket_id"],
                customer_id=payload["customer_id"],
                channel=payload["channel"],
                message_id=payload["message_id"],
                author_kind=payload["author_kind"],
                author_id=payload["author_id"],
                automatic=payload["automatic"],
            )
        )
    return reaction


def outbound_changed(change: Change) -> Reaction:
    """A message to send through the ticket's channel: the `desk.outbound` notice the channel
    part follows {tenant_id, ticket_id, channel, to, text, headers}."""
    new = change.new
    if new is None or change.event_name != "INSERT":
        return Reaction()
    import json

    payload = {
        "tenant_id": change.tenant_id,
        "ticket_id": str(new["ticket_id"]),
        "message_id": str(new["message_id"]),
        "channel": str(new["channel"]),
        "to": json.loads(str(new.get("to_json") or "{}")),
        "text": str(new.get("text") or ""),
        "headers": json.loads(str(new.get("headers_json") or "{}")),
    }
    return Reaction(
        notices=[
            Notice(
                OUTBOUND,
                change.tenant_id,
                payload["ticket_id"],
                None,
                payload,
                change.event_id,
                change.at,
            )
        ]
    )
