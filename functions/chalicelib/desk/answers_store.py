"""DynamoDB access of the desk's knowledge answers: a ticket's suggestions and the state of its
automatic answer (its own item in the ticket's item collection, beside the thread), and the
ticket's thread read newest first for the last agent reply.

| pattern                                  | index | key condition                              |
|------------------------------------------|-------|--------------------------------------------|
| a ticket's suggestions and answer state  | table | pk=T#t#TICKET#<id>, sk=#KBANSWER           |
| the thread, newest first (last reply)    | table | pk=T#t#TICKET#<id>, sk begins_with MSG#    |

The item is written once per ticket (a conditional put: a retried stream record finds it and
does not answer twice) and then moved on its version (two confirmations never both win).
It stays off the ticket's gsi1 key, which the ticket view reads with its SLA state.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError

from ..core import CrmItem
from .answers import Match
from .store import ticket_pk
from .thread_store import MSG, MessageItem

ANSWER_SK = "#KBANSWER"
CONDITION_FAILED = "ConditionalCheckFailedException"


class TicketAnswerItem(CrmItem, discriminator="TicketAnswer"):
    ticket_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    suggestions_json = UnicodeAttribute(default="[]")
    state = UnicodeAttribute()
    reason = UnicodeAttribute(default="")
    article_id = UnicodeAttribute(null=True)  # the article answered with
    answer_digest = UnicodeAttribute(null=True)  # of the text told (a resumed answer checks it)
    suggested_at = UTCDateTimeAttribute()
    answered_at = UTCDateTimeAttribute(null=True)
    settled_at = UTCDateTimeAttribute(null=True)
    settled_by = UnicodeAttribute(null=True)
    resolved = BooleanAttribute(null=True)
    version = VersionAttribute()

    @property
    def suggestions(self) -> list[Match]:
        return [Match(**m) for m in json.loads(self.suggestions_json)]


def get(tenant_id: str, ticket_id: str) -> TicketAnswerItem | None:
    try:
        return TicketAnswerItem.get(
            ticket_pk(tenant_id, ticket_id), ANSWER_SK, consistent_read=True
        )
    except TicketAnswerItem.DoesNotExist:
        return None


def new(
    tenant_id: str,
    ticket_id: str,
    customer_id: str,
    *,
    suggestions: Sequence[Match],
    state: str,
    reason: str,
    article_id: str | None,
    answer_digest: str | None,
    now: datetime,
) -> TicketAnswerItem:
    return TicketAnswerItem(
        ticket_pk(tenant_id, ticket_id),
        ANSWER_SK,
        tenant_id=tenant_id,
        ticket_id=ticket_id,
        customer_id=customer_id,
        suggestions_json=json.dumps([asdict(m) for m in suggestions], ensure_ascii=False),
        state=state,
        reason=reason,
        article_id=article_id,
        answer_digest=answer_digest,
        suggested_at=now,
    )


def save(item: TicketAnswerItem) -> bool:
    """Write the item on its version (a new one once); False when another writer was first."""
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def newest_messages(tenant_id: str, ticket_id: str) -> Iterator[MessageItem]:
    """The ticket's thread, newest first, page by page as read."""
    for item in MessageItem.query(
        ticket_pk(tenant_id, ticket_id),
        MessageItem.sk.startswith(MSG),
        scan_index_forward=False,
        page_size=25,
    ):
        if isinstance(item, MessageItem):
            yield item


def plain(item: TicketAnswerItem) -> dict[str, Any]:
    return dict(item.attribute_values)
