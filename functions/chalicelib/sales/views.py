"""How opportunities read: a stored deal decoded, and the API's view of it as a caller may
read it (no follow-up notes for finance and legal)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..core import Principal
from . import figures, rules, store
from .models import Opportunity


def loads(value: Any, default: Any) -> Any:
    if value is None or value == "":
        return default
    return json.loads(value) if isinstance(value, str) else value


def money(value: Any) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def deal_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """An opportunity as stored (item values or a raw image), with its JSON parts decoded."""
    deal = dict(values)
    for name in store.JSON_FIELDS:
        deal[name] = loads(values.get(name), None if name == "health" else [])
    return deal


def opportunity_view(values: Mapping[str, Any], principal: Principal | None = None) -> Opportunity:
    """The API's Opportunity (an item's values or a 360 page's item), as `principal` may read
    it: no follow-up notes for finance and legal."""
    deal = deal_of(values)
    hide = principal is not None and rules.hides_text(principal)
    return Opportunity(
        id=deal["opportunity_id"],
        customer_id=deal["customer_id"],
        pipeline_id=deal["pipeline_id"],
        title=deal["title"],
        owner_id=deal["owner_id"],
        team_id=deal.get("team_id"),
        stage=deal["stage"],
        status=deal["status"],
        amount=money(deal.get("amount")),
        currency=deal.get("currency"),
        base_amount=money(deal.get("base_amount")),
        base_currency=deal.get("base_currency"),
        rate_missing=bool(deal.get("rate_missing")),
        expected_close=deal.get("expected_close"),
        probability=figures.probability(deal),
        probability_override=deal.get("probability_override"),
        products=deal["products"],
        stakeholders=deal["stakeholders"],
        stage_history=deal["stage_history"],
        lost_reason=deal.get("lost_reason"),
        follow_ups=None if hide else deal["follow_ups"],
        last_follow_up_at=deal.get("last_follow_up_at"),
        health=deal.get("health"),
        stale_since=deal.get("stale_since"),
        lead_id=deal.get("lead_id"),
        contract_id=deal.get("contract_id"),
        created_at=deal["created_at"],
        updated_at=deal["updated_at"],
        won_at=deal.get("won_at"),
        closed_at=deal.get("closed_at"),
        version=int(deal.get("version") or 1),
    )


def section_view(values: Mapping[str, Any], principal: Principal) -> Opportunity:
    """The 360 view's `opportunities` section (the customer is visible to the caller already)."""
    return opportunity_view(values, principal)
