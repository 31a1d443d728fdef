"""Domain events of the reports area (source `crm.reports`)."""

from __future__ import annotations

from pydantic import Field

from ..core import EventDetail


class DailySalesReport(EventDetail):
    DETAIL_TYPE = "Daily Sales Report"

    team_id: str
    day: str = Field(description="The local day the report covers (yesterday when produced).")
    time_zone: str
    currency: str = Field(description="The tenant's base currency (won_amount).")
    new_leads: int
    created: int = Field(description="Opportunities created.")
    moves: int = Field(description="Stage moves.")
    wins: int
    won_amount: str = Field(description="Base currency, 2 decimals, as a string.")
    losses: int
    reopened: int
    followups: int
    overdue_tasks: int | None = Field(
        default=None,
        description="Open tasks of the team's members due before the day's end (local).",
    )
