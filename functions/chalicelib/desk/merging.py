"""Splitting and merging tickets, each one transaction on the tickets' versions, so concurrent
merges and edits cannot both win (the loser gets 412 and reads again).

- split: chosen messages move to a new ticket linked to the original (each keeps the ticket it
  was written on as `origin_ticket_id`);
- merge: every message of the source is copied to the target with its origin; the source is
  closed with `merged_into` (its own thread stays as it was).
"""

from __future__ import annotations

from typing import Any

from ..core import NotFound, Principal, ValidationFailed, require_role
from . import rules, store, thread_store
from .models import MergeRequest, MergeResult, SplitRequest, Ticket
from .tickets import new_ticket_item, sla_of, workable_item
from .views import to_ticket

# A transaction holds 100 items: the tickets, the copies and the removals.
MAX_SPLIT = (store.MAX_TRANSACTION - 2) // 2
MAX_MERGE = store.MAX_TRANSACTION - 2


def _check_live(item: store.TicketItem, field: str) -> None:
    if item.merged_into or item.status == rules.CLOSED:
        raise ValidationFailed(f"Ticket {item.ticket_id} is closed.", field=field)


def split(principal: Principal, ticket_id: str, body: SplitRequest) -> Ticket:
    require_role(principal, *rules.AGENTS)
    if len(body.message_ids) > MAX_SPLIT:
        raise ValidationFailed(f"Split at most {MAX_SPLIT} messages at once.", field="message_ids")
    source = workable_item(principal, ticket_id)
    _check_live(source, "ticket_id")
    chosen = thread_store.messages(principal.tenant_id, ticket_id, body.message_ids)
    missing = set(body.message_ids) - {m.message_id for m in chosen}
    if missing:
        raise ValidationFailed(
            f"No message {sorted(missing)[0]} on this ticket.", field="message_ids"
        )
    chosen.sort(key=lambda m: m.message_id)
    now = store.now()
    first = chosen[0]
    target = new_ticket_item(
        principal.tenant_id,
        source.customer_id,
        now,
        subject=body.subject or source.subject,
        description=first.text,
        channel=source.channel,
        ticket_type=source.ticket_type,
        language=source.language,
        created_by=principal.user_id,
        priority=source.priority,
        priority_reason=f"split from {source.ticket_id}",
        linked_ticket_id=source.ticket_id,
        queue=source.queue,
        reply_to_json=source.reply_to_json,
        last_ref=source.last_ref,
    )
    copies = [thread_store.moved_message(m, target) for m in chosen]
    store.write_together([source], now, deletes=chosen, new=[target, *copies])
    return to_ticket(target, principal)


def merge(principal: Principal, ticket_id: str, body: MergeRequest) -> MergeResult:
    require_role(principal, *rules.AGENTS)
    if body.into == ticket_id:
        raise ValidationFailed("A ticket cannot merge into itself.", field="into")
    source = workable_item(principal, ticket_id)
    try:
        target = workable_item(principal, body.into)
    except NotFound:  # the body names it: a field of the request, not the path's resource
        raise ValidationFailed(f"No ticket {body.into} to merge into.", field="into") from None
    _check_live(source, "ticket_id")
    _check_live(target, "into")
    if source.customer_id != target.customer_id:
        raise ValidationFailed("Merge tickets of one customer only.", field="into")
    page = thread_store.thread(principal.tenant_id, ticket_id, None, None)
    messages = [m for m in page.items if isinstance(m, thread_store.MessageItem)]
    if len(messages) > MAX_MERGE:
        raise ValidationFailed(f"Merge tickets of at most {MAX_MERGE} messages.", field="ticket_id")
    now = store.now()
    copies: list[Any] = [thread_store.moved_message(m, target) for m in messages]
    source.status, source.closed_at, source.merged_into = rules.CLOSED, now, target.ticket_id
    if source.first_response_at and not target.first_response_at:
        target.first_response_at = source.first_response_at
    target.attachments_json = store.encode([*store.attachments(target), *store.attachments(source)])
    store.write_together([source, target], now, puts=copies)
    return MergeResult(
        target=to_ticket(target, principal, sla_of(principal.tenant_id, target.ticket_id)),
        source=to_ticket(source, principal),
        moved=len(copies),
    )
