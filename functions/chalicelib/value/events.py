"""Domain events of the customer value area (source `crm.value`): only on a change."""

from __future__ import annotations

from pydantic import Field

from ..core import EventDetail


class SegmentChanged(EventDetail):
    DETAIL_TYPE = "Segment Changed"

    customer_id: str
    rfm_class: str
    previous_class: str | None = None
    segment: str
    previous_segment: str | None = None
    model_version: str


class ValueTierChanged(EventDetail):
    DETAIL_TYPE = "Value Tier Changed"

    customer_id: str
    tier: str
    previous_tier: str | None = None
    clv: str = Field(description="Lifetime value, base currency, 2 decimals, as a string.")
    model_version: str


class ChurnRiskRaised(EventDetail):
    DETAIL_TYPE = "Churn Risk Raised"

    customer_id: str
    churn_prob: float
    threshold: float = Field(description="The tenant's threshold the probability crossed.")
    tier: str
    model_version: str
