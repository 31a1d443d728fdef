"""What the reports area registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, JobKind, Schedule

AREA = Area(
    name="reports",
    package=__package__ or "chalicelib.reports",
    summary="Sales reports from aggregates the stream keeps: funnel per pipeline and period, "
    "reps' attainment, a daily sales report per team each local morning.",
    blueprints=("api:bp",),
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
    ),
    follows=(
        Follow("sales.opportunity_moved", "handlers:on_opportunity_moved"),
        Follow("leads.captured", "handlers:on_lead_captured"),
        Follow("customers.changed", "handlers:on_customer_changed"),
        Follow("automation.task_changed", "handlers:on_task_changed"),
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
