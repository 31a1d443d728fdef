"""DynamoDB access of a ticket's thread: its messages, the public answers to send through its
channel (outbound copies) and the channels' message references (dedup and threading).

| pattern                                | index | key condition                                      |
|----------------------------------------|-------|----------------------------------------------------|
| a ticket's thread, oldest first        | table | pk=T#t#TICKET#<id>, sk begins_with MSG#            |
| an outbound copy (30 days)             | table | pk=T#t#TICKET#<id>, sk=OUT#<message id>            |
| a channel message id (dedup, threads)  | table | pk=T#t#TREF#<sha256 of the id>, sk=#TREF           |

A message and the ticket's new state are written in one transaction (`store.write_together`,
`store.touch_together`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from ..core import TTL_ATTRIBUTE, CrmItem, Page, gsi_pk, query_page
from .store import TicketItem, ticket_pk

MSG = "MSG#"
REF_SK = "#TREF"


class MessageItem(CrmItem, discriminator="TicketMessage"):
    message_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    author_id = UnicodeAttribute(null=True)
    author_kind = UnicodeAttribute()
    visibility = UnicodeAttribute()
    automatic = BooleanAttribute(default=False)
    text = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()
    origin_ticket_id = UnicodeAttribute(null=True)
    external_id = UnicodeAttribute(null=True)
    attachments_json = UnicodeAttribute(default="[]")


class OutboundItem(CrmItem, discriminator="TicketOutbound"):
    """A public answer to send through the ticket's channel (written with its message; its
    stream record raises `desk.outbound`). Kept 30 days."""

    message_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    to_json = UnicodeAttribute()
    text = UnicodeAttribute()
    headers_json = UnicodeAttribute(default="{}")
    expires_at = NumberAttribute(attr_name=TTL_ATTRIBUTE)


class MessageRefItem(CrmItem, discriminator="TicketMessageRef"):
    """A channel's message id, once: the dedup guard of `receive` and a thread's anchor."""

    ref = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    message_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


def new_message(
    tenant_id: str, ticket_id: str, message_id: str, customer_id: str, **attrs: Any
) -> MessageItem:
    return MessageItem(
        pk=ticket_pk(tenant_id, ticket_id),
        sk=f"{MSG}{message_id}",
        tenant_id=tenant_id,
        ticket_id=ticket_id,
        message_id=message_id,
        customer_id=customer_id,
        **attrs,
    )


def moved_message(message: MessageItem, ticket: TicketItem) -> MessageItem:
    """A copy of a message on another ticket, keeping the ticket it was written on."""
    values = dict(message.attribute_values)
    for key in ("pk", "ticket_id", "customer_id", "origin_ticket_id", "correlation_id"):
        values.pop(key, None)
    return MessageItem(
        pk=ticket_pk(ticket.tenant_id, ticket.ticket_id),
        ticket_id=ticket.ticket_id,
        customer_id=ticket.customer_id,
        origin_ticket_id=message.origin_ticket_id or message.ticket_id,
        **values,
    )


def thread(
    tenant_id: str, ticket_id: str, limit: int | None, start_key: dict[str, Any] | None
) -> Page:
    """A ticket's messages, oldest first (one Query per page)."""
    return query_page(
        MessageItem.query,
        ticket_pk(tenant_id, ticket_id),
        MessageItem.sk.startswith(MSG),
        limit=limit,
        start_key=start_key,
    )


def messages(tenant_id: str, ticket_id: str, ids: Sequence[str]) -> list[MessageItem]:
    """Chosen messages of a ticket (one BatchGet); those that do not exist are left out."""
    keys = [(ticket_pk(tenant_id, ticket_id), f"{MSG}{mid}") for mid in dict.fromkeys(ids)]
    return [m for m in MessageItem.batch_get(keys) if isinstance(m, MessageItem)]


OUTBOUND_DAYS = 30  # how long an outbound copy is kept


def new_outbound(ticket: TicketItem, message: MessageItem, headers: dict[str, str]) -> OutboundItem:
    return OutboundItem(
        pk=ticket_pk(ticket.tenant_id, ticket.ticket_id),
        sk=f"OUT#{message.message_id}",
        tenant_id=ticket.tenant_id,
        message_id=message.message_id,
        ticket_id=ticket.ticket_id,
        customer_id=ticket.customer_id,
        channel=ticket.channel,
        to_json=ticket.reply_to_json or "{}",
        text=message.text,
        headers_json=json.dumps(headers, ensure_ascii=False),
        expires_at=int(message.at.timestamp()) + OUTBOUND_DAYS * 86400,
    )


# --- channel references -----------------------------------------------------------------------


def ref_pk(tenant_id: str, ref: str) -> str:
    digest = hashlib.sha256(ref.strip().encode()).hexdigest()
    return gsi_pk(tenant_id, "TREF", digest)


def new_ref(
    tenant_id: str, ref: str, ticket_id: str, message_id: str | None, at: datetime
) -> MessageRefItem:
    return MessageRefItem(
        pk=ref_pk(tenant_id, ref),
        sk=REF_SK,
        tenant_id=tenant_id,
        ref=ref[:1000],
        ticket_id=ticket_id,
        message_id=message_id,
        created_at=at,
    )


def refs(tenant_id: str, values: Sequence[str]) -> dict[str, MessageRefItem]:
    """The known references among `values` (one BatchGet), by reference."""
    wanted = list(dict.fromkeys(v for v in values if v.strip()))[:100]  # never empty here
    keys = [(ref_pk(tenant_id, v), REF_SK) for v in wanted]
    found = {i.pk: i for i in MessageRefItem.batch_get(keys) if isinstance(i, MessageRefItem)}
    return {v: found[ref_pk(tenant_id, v)] for v in wanted if ref_pk(tenant_id, v) in found}
