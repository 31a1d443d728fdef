"""A ticket's thread: agents' public replies and internal notes, a customer contact's replies,
automatic answers (`tell_customer`), and reading the thread as the caller may see it.

A message and the ticket's new state (first response, status, the outbound copy a channel
sends) are written in one transaction on the ticket's version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import (
    Forbidden,
    NotFound,
    Principal,
    ValidationFailed,
    decode_cursor,
    deterministic_ulid,
    encode_cursor,
    logger,
)
from . import rules, store, thread_store
from .models import MessageCreate, MessagePage, TicketMessage
from .tickets import may_read, visible_item, workable_item
from .views import to_message

AUTO_HEADERS = {"Auto-Submitted": "auto-replied"}
ATTEMPTS = 3


def _headers(ticket: store.TicketItem, automatic: bool) -> dict[str, str]:
    headers: dict[str, str] = {}
    if ticket.channel == "email":
        if automatic:
            headers.update(AUTO_HEADERS)
        if ticket.last_ref:
            headers["In-Reply-To"] = ticket.last_ref
            headers["References"] = ticket.last_ref
    return headers


def write_message(
    ticket: store.TicketItem,
    now: datetime,
    *,
    text: str,
    author_id: str | None,
    author_kind: str,
    visibility: str,
    automatic: bool = False,
    attachments: list[dict[str, Any]] | None = None,
    external_id: str | None = None,
    status: str | None = None,
    extra: tuple[Any, ...] = (),
    new: tuple[Any, ...] = (),
    message_id: str | None = None,
    touch_only: bool = False,
) -> thread_store.MessageItem:
    """Add a message to `ticket` (as read) and move the ticket with it, in one transaction
    (store.Raced when the ticket changed meanwhile).

    `touch_only`: the caller changed nothing of the ticket; if the message changes nothing
    either (no first response, status or attachments), the ticket is only touched (its
    version and time) on the condition that its status is still the one read, so concurrent
    notes and replies never refuse each other.
    """
    from ulid import ULID

    from .tickets import apply_status

    message = thread_store.new_message(
        ticket.tenant_id,
        ticket.ticket_id,
        message_id or str(ULID.from_datetime(now)),
        ticket.customer_id,
        channel=ticket.channel,
        author_id=author_id,
        author_kind=author_kind,
        visibility=visibility,
        automatic=automatic,
        text=text,
        at=now,
        external_id=external_id,
        attachments_json=store.encode(attachments or []),
    )
    changes = False
    if rules.counts_as_first_response(author_kind, visibility, automatic):
        changes = changes or ticket.first_response_at is None or ticket.status == rules.NEW
        ticket.first_response_at = ticket.first_response_at or now
        if ticket.status == rules.NEW:
            apply_status(ticket, rules.OPEN, now)
    if attachments:
        changes = True
        ticket.attachments_json = store.encode([*store.attachments(ticket), *attachments])
    if status is not None and status != ticket.status:
        changes = True
        apply_status(ticket, status, now)
    puts: list[Any] = list(extra)
    if visibility == "public" and author_kind != "customer":
        puts.append(thread_store.new_outbound(ticket, message, _headers(ticket, automatic)))
    if touch_only and not changes:
        store.touch_together(ticket, now, puts=puts, new=[message, *new])
    else:
        store.write_together([ticket], now, puts=puts, new=[message, *new])
    return message


def add_message(principal: Principal, ticket_id: str, body: MessageCreate) -> TicketMessage:
    """A reply or a note: agents who may work on the ticket reply publicly or note internally;
    a customer contact replies (publicly) on its customer's tickets."""
    contact = rules.is_contact(principal)
    if contact:
        if body.visibility.value != "public":
            raise Forbidden("A customer contact writes public replies only.")
        visible_item(principal, ticket_id)
    # Anyone else must be able to work on the ticket (workable_item: 404 unseen, 403 not theirs):
    # agents, admins, and a customer's dedicated adviser the desk assigned it to.
    now = store.now()
    attachments = [a.model_dump() for a in body.attachments]
    for a in attachments:
        if not str(a["key"]).startswith(rules.tenant_folder(principal.tenant_id)):
            raise ValidationFailed(
                "Attachments live under the tenant's prefix.", field="attachments"
            )
    for attempt in range(ATTEMPTS):
        if contact:
            item = store.current(principal.tenant_id, ticket_id)
            if item is None or not may_read(principal, item):
                raise NotFound(f"No ticket {ticket_id}.", field="ticket_id")
        else:
            item = workable_item(principal, ticket_id)
        status = None
        if contact:
            status = _customer_status(principal.tenant_id, item, now)
            if status is None:  # closed, or resolved too long ago: a new ticket follows it
                return to_message(_follow_up(principal, item, body, attachments, now), principal)
        if item.status == rules.CLOSED or item.merged_into:
            raise ValidationFailed("The ticket is closed; open a new one.", field="ticket_id")
        try:
            message = write_message(
                item,
                now,
                text=body.text,
                author_id=principal.user_id,
                author_kind="customer" if contact else "agent",
                visibility=body.visibility.value,
                attachments=attachments,
                status=status,
                touch_only=True,
            )
        except store.Raced:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        return to_message(message, principal)
    raise AssertionError("unreachable")


def _customer_status(tenant_id: str, item: store.TicketItem, now: datetime) -> str | None:
    """The status a customer's message moves the ticket to; None: it opens a new ticket."""
    from .desk_settings import settings_of

    decision = rules.inbound_decision(
        item.status, item.resolved_at, now, settings_of(tenant_id).reopen_window_days
    )
    if decision == rules.NEW_LINKED or item.merged_into:
        return None
    if decision == rules.REOPEN:
        return rules.REOPENED
    return rules.status_after_customer_message(item.status)


def _follow_up(
    principal: Principal,
    item: store.TicketItem,
    body: MessageCreate,
    attachments: list[dict[str, Any]],
    now: datetime,
) -> thread_store.MessageItem:
    """A contact's reply after close: a new ticket linked to the old one, the reply its first
    message."""
    from ulid import ULID

    from .tickets import new_ticket_item

    ticket = new_ticket_item(
        item.tenant_id,
        item.customer_id,
        now,
        subject=item.subject,
        description=body.text,
        channel=item.channel,
        ticket_type=item.ticket_type,
        language=item.language,
        created_by=principal.user_id,
        linked_ticket_id=item.ticket_id,
        reply_to_json=item.reply_to_json,
        last_ref=item.last_ref,
        attachments_json=store.encode(attachments),
    )
    message = thread_store.new_message(
        item.tenant_id,
        ticket.ticket_id,
        str(ULID.from_datetime(now)),
        item.customer_id,
        channel=item.channel,
        author_id=principal.user_id,
        author_kind="customer",
        visibility="public",
        automatic=False,
        text=body.text,
        at=now,
        attachments_json=store.encode(attachments),
    )
    store.create(ticket, message)
    return message


def read_thread(
    principal: Principal, ticket_id: str, limit: int, cursor: str | None
) -> MessagePage:
    """The thread, oldest first: internal notes hidden from customer contacts, text from finance
    and legal."""
    visible_item(principal, ticket_id)
    key = f"{principal.tenant_id}|{principal.user_id}|thread|{ticket_id}"
    page = thread_store.thread(principal.tenant_id, ticket_id, limit, decode_cursor(cursor, key))
    return MessagePage(
        items=[
            to_message(m, principal)
            for m in page.items
            if isinstance(m, thread_store.MessageItem)
            and rules.message_visible(principal, m.visibility)
        ],
        next=encode_cursor(page.last_key, key),
    )


def tell_customer(
    tenant_id: str,
    ticket_id: str,
    text: str,
    *,
    reason: str,
    now: datetime,
    once: tuple[str, datetime] | None = None,
) -> None:
    """An automatic public message sent through the ticket's channel (never a first response):
    `Ticket Replied` (automatic) and `desk.outbound` with Auto-Submitted for mail.

    `once=(key, moment)` makes it a message of its own id (a ULID of `moment` and `key`): a retry
    of the step that told (a timer fired again after a crash) finds it written and tells nothing.
    """
    message_id = deterministic_ulid(once[0], once[1]) if once else None
    for attempt in range(ATTEMPTS):
        item = store.current(tenant_id, ticket_id)
        if item is None:
            raise NotFound(f"No ticket {ticket_id}.", field="ticket_id")
        if message_id and thread_store.messages(tenant_id, ticket_id, [message_id]):
            logger.info("The customer was told before", extra={"ticket_id": ticket_id})
            return
        try:
            write_message(
                item,
                now,
                text=text,
                author_id=None,
                author_kind="system",
                visibility="public",
                automatic=True,
                message_id=message_id,
                touch_only=True,
            )
            logger.info("Told the customer", extra={"ticket_id": ticket_id, "reason": reason})
            return
        except store.Raced:
            if attempt == ATTEMPTS - 1:
                raise
