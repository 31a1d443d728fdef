"""What the sales area registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, JobKind, Schedule, Section, TimerKind

AREA = Area(
    name="sales",
    package=__package__ or "chalicelib.sales",
    summary="Pipelines with stage rules and approval gates, opportunities, currencies, targets "
    "and the forecast; stale deals escalate to the owner's manager.",
    blueprints=("api:bp", "setup_api:bp", "dispatch_api:bp"),
    item_types=(
        ItemType(
            "Opportunity",
            react="reactions:opportunity_changed",
            section=Section(
                "opportunities",
                "Opportunity",
                "views:section_view",
                description="The customer's deals, open and closed.",
            ),
        ),
        ItemType("SalesPipeline", description="A tenant's pipeline (the default until edited)."),
        ItemType("SalesSettings", description="A tenant's base currency."),
        ItemType("ExchangeRate", description="A dated rate: base units per unit of a currency."),
        ItemType("SalesTarget", description="A rep's or team's target for a month."),
        ItemType("SalesForecast", description="A month's figures of a rep or team (stream)."),
        ItemType("SalesForecastMark", description="A forecast move applied (TTL 3 days)."),
        ItemType("SalesStageDays", description="Recent days deals spent in a stage (health)."),
        ItemType("SalesDispatchRules", description="A tenant's task dispatch rules."),
        ItemType(
            "SalesHealthModel",
            description="A tenant's trained health model and its last night's training.",
        ),
    ),
    notices=(
        "sales.deal_changed",
        "sales.opportunity_won",
        "sales.opportunity_lost",
        "sales.opportunity_reopened",
        "sales.opportunity_moved",
        "sales.health_dropped",
    ),
    follows=(
        Follow("sales.deal_changed", "handlers:on_deal_changed"),
        Follow("customers.changed", "handlers:on_customer_changed"),
        Follow("directory.user_deactivated", "handlers:on_user_deactivated"),
        Follow("sales.opportunity_moved", "handlers:on_moved_dispatch"),
        Follow("sales.health_dropped", "handlers:on_health_dropped"),
    ),
    events=(
        "OpportunityCreated",
        "OpportunityStageChanged",
        "OpportunityWon",
        "OpportunityLost",
        "OpportunityStale",
        "OpportunityHealthChanged",
    ),
    timers=(
        TimerKind(
            "sales.opportunity_stale",
            "handlers:on_stale_timer",
            description="7 days without a follow-up on an open deal: a task for the owner's "
            "manager and Opportunity Stale.",
        ),
    ),
    jobs=(
        JobKind(
            "sales.handover_opportunities",
            "handlers:on_handover_step",
            description="A deactivated user's open deals go to their manager, page by page.",
        ),
        JobKind(
            "sales.health_rescore",
            "handlers:on_health_step",
            description="The tenant's health model trained on its won/lost history, then every "
            "open deal scored again with it (health decays with time), stage by stage.",
            runner="analytics",
        ),
    ),
    schedules=(
        Schedule(
            "sales.health_nightly",
            "handlers:start_health_nightly",
            description="Hourly; starts each tenant's rescoring at 02:00 UTC, once a day.",
        ),
    ),
    rule_sets=(
        "pipelines: stage guards (/v1/sales/pipelines)",
        "task dispatch (/v1/sales/dispatch-rules)",
    ),
)
