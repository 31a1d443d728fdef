"""Domain events of the automation area (source `crm.automation`)."""

from __future__ import annotations

from pydantic import Field

from ..core import EventDetail


class AutomationNotified(EventDetail):
    DETAIL_TYPE = "Automation Notified"

    rule_id: str
    rule_version: int | None = None
    customer_id: str | None = None
    recipients: list[str] = Field(default_factory=list, description="User ids to notify.")
    message: str
