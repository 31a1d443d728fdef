"""What the reports area registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, JobKind, Schedule

AHEAD = "handlers:before_notices"  # a batch's notices folded at once (folding.py)

AREA = Area(
    name="reports",
    package=__package__ or "chalicelib.reports",
    summary="Sales and service reports from aggregates the stream keeps: funnel per pipeline and "
    "period, reps' attainment, a daily sales report per team each local morning; the desk's "
    "times (p50/p90), SLA attainment, backlog and ageing, CSAT and NPS, types and keywords.",
    blueprints=("api:bp", "desk_api:bp"),
    item_types=(
        ItemType(
            "ReportFunnelDay", description="A pipeline's day, per scope (kept by the stream)."
        ),
        ItemType("ReportRepMonth", description="A rep's month: wins, losses (kept by the stream)."),
        ItemType("ReportTeamDay", description="A team's day of activity (kept by the stream)."),
        ItemType(
            "ReportOpenTasks",
            description="An assignee's open tasks by due quarter hour (kept by the stream).",
        ),
        ItemType(
            "DailySalesReport",
            react="reactions:daily_report_changed",
            description="A team's daily sales report; written once, published when written.",
        ),
        ItemType(
            "ReportServiceDay",
            description="A day of the desk per priority, queue, agent or all: counts, time "
            "histograms, SLA verdicts, CSAT and NPS (kept by the stream).",
        ),
        ItemType(
            "ReportServiceKeywords",
            description="A day's ticket subject keywords (kept by the stream).",
        ),
        ItemType(
            "ReportServiceBacklog",
            description="The open tickets now by status, priority and day created (kept by the "
            "stream).",
        ),
    ),
    follows=(
        Follow("sales.opportunity_moved", "handlers:on_opportunity_moved", prepare=AHEAD),
        Follow("leads.captured", "handlers:on_lead_captured", prepare=AHEAD),
        Follow("customers.changed", "handlers:on_customer_changed", prepare=AHEAD),
        Follow("automation.task_changed", "handlers:on_task_changed", prepare=AHEAD),
        # Not ahead: a ticket's figures read the SLA's state, which the desk's own follower of
        # the same record writes first (reports come after desk in areas.py).
        Follow("desk.ticket_changed", "handlers:on_ticket_changed"),
        Follow("surveys.answered", "handlers:on_survey_answered", prepare=AHEAD),
    ),
    events=("DailySalesReport",),
    jobs=(
        JobKind(
            "reports.daily",
            "handlers:on_daily_step",
            description="Write each active team's daily sales report for a local day, once.",
        ),
    ),
    schedules=(
        Schedule(
            "reports.daily",
            "handlers:start_daily",
            description="Hourly; starts each tenant's daily sales report in its local morning.",
        ),
    ),
)
