"""How a lead shows: the API's Lead from a stored lead (with its BANT score as of today), and
the read that answers 404 to whoever may not see it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ..core import NotFound, Principal, json_safe
from . import rules, scoring, store
from .models import Lead, LeadScore, ScorePart


def lead_view(values: Mapping[str, Any], today: date) -> Lead:
    """A lead as stored (an item's values), as the API shows it, with its score as of today."""
    data = json_safe(dict(values))
    score = scoring.bant(data, rules.engagement(data), today)
    return Lead(
        id=data["lead_id"],
        customer_id=data["customer_id"],
        status=data["status"],
        owner_id=data.get("owner_id"),
        team_id=data.get("team_id"),
        name=data.get("name"),
        company=data.get("company"),
        identities=data.get("identities") or [],
        channels=data.get("channels") or [],
        source=data.get("source"),
        interest=data.get("interest"),
        region=data.get("region"),
        industry=data.get("industry"),
        budget=data.get("budget"),
        budget_amount=values.get("budget_amount"),
        budget_currency=data.get("budget_currency"),
        authority=data.get("authority"),
        need=data.get("need"),
        timeline=data.get("timeline"),
        score=LeadScore(
            score=score.score,
            parts=[ScorePart(**vars(p)) for p in score.parts],
        ),
        captures=int(data.get("capture_count") or 1),
        contacts=int(data.get("contact_count") or 0),
        engagement=rules.engagement(data),
        assigned_at=values.get("assigned_at"),
        first_contact_due_at=values.get("first_contact_due_at"),
        first_contacted_at=values.get("first_contacted_at"),
        assignment_reason=data.get("assignment_reason"),
        opportunity_id=data.get("opportunity_id"),
        converted_at=values.get("converted_at"),
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        created_by=data["created_by"],
        version=int(data["version"]),
    )


def to_lead(item: store.LeadItem, now: datetime) -> Lead:
    return lead_view(item.attribute_values, now.date())


def visible_lead(principal: Principal, lead_id: str, *, consistent: bool = False) -> store.LeadItem:
    """The lead, if the caller may see it; 404 otherwise (whether or not it exists)."""
    item = store.get_lead(principal.tenant_id, lead_id, consistent=consistent)
    if item is None or not rules.can_see(principal, item.owner_id, item.team_id):
        raise NotFound(f"No lead {lead_id}.", field="id")
    return item
