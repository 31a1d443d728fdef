"""Domain events of the leads area (source `crm.leads`), raised by its stream reaction."""

from __future__ import annotations

from pydantic import Field

from ..core import EventDetail


class LeadCaptured(EventDetail):
    DETAIL_TYPE = "Lead Captured"

    lead_id: str
    customer_id: str
    channel: str | None = None
    source: str | None = None
    owner_id: str | None = None
    team_id: str | None = None
    repeat: bool = Field(default=False, description="An open lead of the customer took it.")


class LeadAssigned(EventDetail):
    DETAIL_TYPE = "Lead Assigned"

    lead_id: str
    customer_id: str
    owner_id: str
    team_id: str | None = None
    previous_owner_id: str | None = None
    assignment: int = Field(description="How many times the lead was given to someone.")
    reason: str | None = None


class LeadRecycled(EventDetail):
    DETAIL_TYPE = "Lead Recycled"

    lead_id: str
    customer_id: str
    team_id: str | None = None
    previous_owner_id: str | None = None
    manager_id: str | None = Field(default=None, description="Who was told.")
    reason: str = "first contact missed"
