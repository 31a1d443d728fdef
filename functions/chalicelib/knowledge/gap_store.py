"""DynamoDB access of the knowledge area's FAQ gaps (the key design is in `store`'s docstring):
questions no article answered, counted per cluster of key terms, and the tickets counted."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import cast

from pynamodb.attributes import Attribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from ..core import TTL_ATTRIBUTE, CrmItem, gsi_pk
from .store import CONDITION_FAILED, Raced, retried

GAP_GUARD_KEPT = timedelta(days=180)


def _number(default: int | None = None, null: bool = False) -> Attribute[int]:
    return cast("Attribute[int]", NumberAttribute(default=default, null=null))


def gap_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#KBGAP"


class GapItem(CrmItem, discriminator="KnowledgeGap"):
    key = UnicodeAttribute()
    terms_json = UnicodeAttribute()
    asked = _number(default=0)
    language = UnicodeAttribute()
    example = UnicodeAttribute()
    last_ticket_id = UnicodeAttribute(null=True)
    first_at = UTCDateTimeAttribute()
    last_at = UTCDateTimeAttribute()


class GapTicketItem(CrmItem, discriminator="KnowledgeGapTicket"):
    expires_at = cast("Attribute[int]", NumberAttribute(attr_name=TTL_ATTRIBUTE, null=True))


def _gap_sort(count: int, key: str) -> str:
    return f"{count:010d}#{key}"


def count_ticket_once(tenant_id: str, ticket_id: str, at: datetime) -> bool:
    """Whether this is the first time the ticket is counted in a gap (a guard item, TTL)."""
    guard = GapTicketItem(
        pk=gap_pk(tenant_id),
        sk=f"TICKET#{ticket_id}",
        tenant_id=tenant_id,
        expires_at=int((at + GAP_GUARD_KEPT).timestamp()),
    )
    try:
        guard.save(condition=GapTicketItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def add_to_gap(
    tenant_id: str,
    key: str,
    terms: list[str],
    language: str,
    text: str,
    ticket_id: str | None,
    at: datetime,
) -> int:
    """One more question in the gap cluster `key` (created with this one as its example)."""
    pk, sk = gap_pk(tenant_id), f"G#{key}"

    def attempt() -> int:
        try:
            item = GapItem.get(pk, sk, consistent_read=True)
            read: int | None = item.asked
        except GapItem.DoesNotExist:
            item = GapItem(
                pk=pk,
                sk=sk,
                tenant_id=tenant_id,
                key=key,
                terms_json=json.dumps(terms, ensure_ascii=False),
                language=language,
                example=text,
                first_at=at,
                asked=0,
            )
            read = None
        item.asked += 1
        item.last_at = at
        item.last_ticket_id = ticket_id
        item.gsi1pk = gsi_pk(tenant_id, "KBGAPS", "ALL")
        item.gsi1sk = _gap_sort(item.asked, key)
        condition = GapItem.pk.does_not_exist() if read is None else GapItem.asked == read
        try:
            item.save(condition=condition)
        except PutError as exc:
            if exc.cause_response_code == CONDITION_FAILED:
                raise Raced("The gap changed meanwhile.") from None
            raise
        return item.asked

    return retried(attempt)


def top_gaps(tenant_id: str, limit: int) -> list[GapItem]:
    """The most asked gap clusters, most first (one Query on gsi1)."""
    found = GapItem.by_gsi1.query(
        gsi_pk(tenant_id, "KBGAPS", "ALL"), scan_index_forward=False, limit=limit
    )
    return [g for g in found if isinstance(g, GapItem)]
