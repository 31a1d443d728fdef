"""What the customer value area registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, ItemType, JobKind, Schedule, Section

AREA = Area(
    name="value",
    package=__package__ or "chalicelib.value",
    summary="Nightly RFM, lifetime value, churn and value tiers per customer; events on change.",
    blueprints=("api:bp",),
    item_types=(
        ItemType(
            "CustomerValue",
            react="reactions:value_changed",
            section=Section(
                "value",
                "CustomerValue",
                "handlers:value_section",
                description="The latest night's RFM, class, CLV, churn and tier.",
            ),
        ),
        ItemType("ValueModel", description="A night's fitted model, guardrails and KPIs."),
        ItemType("ValueSettings", description="A tenant's value tiers, classes and thresholds."),
        ItemType("ValueRows", description="A nightly run's scratch rows (TTL 7 days)."),
    ),
    events=("SegmentChanged", "ValueTierChanged", "ChurnRiskRaised"),
    jobs=(
        JobKind(
            "value.nightly",
            "handlers:on_nightly_step",
            description="Summarise every customer's orders, fit, score, write changed scores.",
            runner="analytics",
        ),
        JobKind(
            "value.segment",
            "handlers:on_segment_step",
            description="A large tenant's night, one scan segment: summarise it, or write back "
            "its share of the scored pages.",
            runner="analytics",
        ),
    ),
    schedules=(
        Schedule(
            "value.nightly",
            "handlers:start_nightly",
            description="Hourly; starts each tenant's night in its nightly hour (local time).",
        ),
    ),
    facts="rules:FACTS",
)
