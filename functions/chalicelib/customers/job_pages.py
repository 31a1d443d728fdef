"""Pages of live customers as fact sheets, for the background jobs of other areas (tagging's
re-tag and backfill, automation's time rules, value's nightly): by owner, stage or tier, every
customer tier by tier, or one parallel scan segment. Re-exported by `customers.service`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..core import decode_cursor, encode_cursor
from . import store
from .models import Tier
from .profile import customer_facts

__all__ = ["all_customers_page", "customers_segment_page", "facts_page"]


def facts_page(
    tenant_id: str,
    facet: str,
    value: str,
    limit: int,
    cursor_scope: str,
    cursor: str | None,
    now: datetime,
) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    """One page of live customers by owner, stage or tier as (id, facts), and the next cursor."""
    page = store.list_customers(tenant_id, facet, value, limit, decode_cursor(cursor, cursor_scope))
    found = [
        (c.customer_id, customer_facts(c.attribute_values, now))
        for c in page.items
        if c.deleted_at is None
    ]
    return found, encode_cursor(page.last_key, cursor_scope)


def all_customers_page(
    tenant_id: str, cursor: Mapping[str, Any] | None, limit: int, now: datetime
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any] | None]:
    """One page of every live customer of the tenant as (id, facts), and where the next starts
    (None after the last): for background jobs. Walks the tier index tier by tier (every live
    customer has exactly one tier), so no Scan is needed."""
    tiers = [tier.value for tier in Tier]
    position = dict(cursor or {"tier": 0})
    index = int(position.get("tier", 0))
    while index < len(tiers):
        page = store.list_customers(tenant_id, "TIER", tiers[index], limit, position.get("key"))
        found = _live_facts(page.items, now)
        if page.last_key:
            return found, {"tier": index, "key": page.last_key}
        index += 1
        position = {"tier": index}
        if found:
            return found, {"tier": index} if index < len(tiers) else None
    return [], None


def customers_segment_page(
    tenant_id: str,
    segment: int,
    segments: int,
    cursor: Mapping[str, Any] | None,
    limit: int,
    now: datetime,
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any] | None]:
    """One page of the tenant's live customers from one parallel scan segment, as (id, facts),
    and where the next starts (None after the segment's last)."""
    page = store.scan_customers(
        tenant_id, segment, segments, limit, dict(cursor) if cursor else None
    )
    return _live_facts(page.items, now), page.last_key


def _live_facts(
    items: Sequence[store.CustomerItem], now: datetime
) -> list[tuple[str, dict[str, Any]]]:
    """The page's live customers as (id, fact sheet at `now`); deleted ones left out."""
    return [
        (c.customer_id, customer_facts(c.attribute_values, now))
        for c in items
        if c.deleted_at is None
    ]
