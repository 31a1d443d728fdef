"""Request and response models of the reports area (pydantic v2). Amounts are in the tenant's
base currency, shown as strings with two decimals like every amount; rates are 0..1."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from ..core import Schema


class StageFigures(Schema):
    stage: str
    entered: int = Field(description="Opportunities that entered the stage in the period.")
    amount: str = Field(description="Their base amounts when they entered.")
    left: int = Field(description="Opportunities that left the stage in the period.")
    average_days: Decimal | None = Field(
        description="Average days in the stage of those that left it (None: none left)."
    )


class Transition(Schema):
    from_stage: str
    to_stage: str
    count: int
    rate: Decimal | None = Field(description="Share of the from-stage's leavers that went here.")


class Funnel(Schema):
    pipeline: str
    period: str
    first_day: str
    last_day: str
    scope: str = Field(description="ALL, O#<owner> or TM#<team>.")
    currency: str
    created: int
    created_amount: str
    won: int
    won_amount: str
    lost: int
    lost_amount: str
    win_rate: Decimal | None = Field(description="won / (won + lost) in the period.")
    average_cycle_days: Decimal | None = Field(description="Created to won, of the period's wins.")
    unpriced_moves: int = Field(description="Moves without a base amount (no rate): not summed.")
    stages: list[StageFigures]
    transitions: list[Transition]


class RepAttainment(Schema):
    owner_id: str
    team_id: str | None = None
    won: int
    won_amount: str
    lost: int
    created: int
    target: str | None = None
    attainment: Decimal | None = Field(description="won_amount / target (None: no target).")


class Attainment(Schema):
    month: str
    team_id: str | None = None
    currency: str
    reps: list[RepAttainment]
    team_won_amount: str | None = Field(default=None, description="The team's reps together.")
    team_target: str | None = Field(default=None, description="The team's own target, if set.")
    team_attainment: Decimal | None = None


class DailyFigures(Schema):
    new_leads: int
    created: int = Field(description="Opportunities created.")
    moves: int = Field(description="Stage moves.")
    wins: int
    won_amount: str
    losses: int
    reopened: int
    followups: int = Field(description="Customers of the team followed up (outbound contact).")
    overdue_tasks: int | None = Field(
        default=None,
        description="Open tasks of the team's members due before the day's end (local), as "
        "they stood when the report was produced (None in reports written before it was kept).",
    )


class DailyReport(Schema):
    team_id: str
    day: str
    time_zone: str
    currency: str
    produced_at: str
    figures: DailyFigures


# --- service reports ------------------------------------------------------------------------------


class ServiceGroupBy(StrEnum):
    PRIORITY = "priority"
    QUEUE = "queue"
    AGENT = "agent"


class ServicePeriod(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Durations(Schema):
    """Times from a ticket's creation, wall clock, read from histograms (see the p50/p90
    error bound in chalicelib.reports.histograms)."""

    count: int
    p50_seconds: int | None = None
    p90_seconds: int | None = None
    average_seconds: int | None = None


class SlaAttainment(Schema):
    met: int
    breached: int
    attainment: Decimal | None = Field(default=None, description="met / (met + breached).")


class SatisfactionFigures(Schema):
    responses: int = Field(description="Surveys answered (CSAT).")
    csat_average: Decimal | None = None
    csat_distribution: dict[str, int] = Field(description="Answers per CSAT score, 1 to 5.")
    nps_responses: int
    promoters: int
    passives: int
    detractors: int
    nps: Decimal | None = Field(default=None, description="% promoters - % detractors.")


class ServiceFigures(Schema):
    created: int
    resolved: int
    reopened: int
    first_response: Durations
    resolution: Durations
    sla_first_response: SlaAttainment
    sla_resolution: SlaAttainment
    satisfaction: SatisfactionFigures


class ServiceRow(ServiceFigures):
    period_start: str = Field(description="The local day the period starts (weeks: Monday).")
    group: str = Field(description="The priority, queue or agent (_none: not set).")


class Counted(Schema):
    name: str
    count: int


class ServiceReport(Schema):
    first_day: str
    last_day: str
    group_by: str
    period: str
    agent: str | None = Field(default=None, description="One agent's figures only.")
    rows: list[ServiceRow]
    total: ServiceFigures
    top_types: list[Counted] | None = Field(
        default=None, description="Tickets created by type (the desk's readers only)."
    )
    top_keywords: list[Counted] | None = Field(
        default=None, description="Subject keywords of tickets created (the desk's readers only)."
    )


class StatusPriority(Schema):
    status: str
    priority: str
    count: int


class AgeBucket(Schema):
    bucket: str
    count: int


class Backlog(Schema):
    as_of: str
    open: int
    by_status: dict[str, int]
    by_priority: dict[str, int]
    by_status_and_priority: list[StatusPriority]
    ageing: list[AgeBucket] = Field(description="Open tickets by age (local days since created).")


class SatisfactionPeriod(SatisfactionFigures):
    period_start: str


class SatisfactionReport(Schema):
    first_day: str
    last_day: str
    period: str
    agent: str | None = None
    total: SatisfactionFigures
    periods: list[SatisfactionPeriod]
