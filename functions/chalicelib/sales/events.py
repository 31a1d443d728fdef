"""Domain events of the sales area (source `crm.sales`). Amounts are strings with two decimals;
no event carries follow-up notes (conversation text)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ..core import EventDetail


class OpportunityCreated(EventDetail):
    DETAIL_TYPE = "Opportunity Created"

    opportunity_id: str
    customer_id: str
    owner_id: str
    team_id: str | None = None
    pipeline_id: str
    stage: str
    amount: str | None = None
    currency: str | None = None
    base_amount: str | None = None
    lead_id: str | None = None


class OpportunityStageChanged(EventDetail):
    DETAIL_TYPE = "Opportunity Stage Changed"

    opportunity_id: str
    customer_id: str
    owner_id: str
    team_id: str | None = None
    pipeline_id: str
    from_stage: str
    to_stage: str
    moved_by: str | None = None
    reason: str | None = None
    reopened: bool = Field(default=False, description="A won or lost deal opened again.")


class OpportunityWon(EventDetail):
    DETAIL_TYPE = "Opportunity Won"

    opportunity_id: str
    customer_id: str
    owner_id: str
    team_id: str | None = None
    amount: str | None = None
    currency: str | None = None
    base_amount: str | None = Field(description="Frozen at the rate of the day it was won.")
    base_currency: str | None = None
    rate_missing: bool = False
    won_at: datetime


class OpportunityLost(EventDetail):
    DETAIL_TYPE = "Opportunity Lost"

    opportunity_id: str
    customer_id: str
    owner_id: str
    team_id: str | None = None
    lost_reason: str | None = None
    stage_before: str


class OpportunityStale(EventDetail):
    DETAIL_TYPE = "Opportunity Stale"

    opportunity_id: str
    customer_id: str
    owner_id: str
    team_id: str | None = None
    escalated_to: str | None = Field(description="The owner's manager, who got the task.")
    last_follow_up_at: datetime | None = None
    stale_since: datetime


class OpportunityHealthChanged(EventDetail):
    DETAIL_TYPE = "Opportunity Health Changed"

    opportunity_id: str
    customer_id: str
    owner_id: str
    score: int
    colour: str
    previous_colour: str | None = None
    reasons: list[str] = Field(default_factory=list)
