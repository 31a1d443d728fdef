"""What the automation area registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, JobKind, Section, TimerKind

AREA = Area(
    name="automation",
    package=__package__ or "chalicelib.automation",
    summary='No-code "if condition then action" rules, fired on change or on exact timers.',
    blueprints=("api:bp",),
    item_types=(
        ItemType(
            "Task",
            react="reactions:task_changed",
            section=Section(
                "tasks", "Task", "service:task_view", description="Open and done to-dos."
            ),
        ),
        ItemType("AutomationRule", description="A tenant's automation rule (core toolkit)."),
    ),
    notices=("automation.task_changed",),
    follows=(
        Follow(
            "customers.changed",
            "handlers:on_customer_changed",
            prepare="handlers:before_customers_changed",
        ),
        Follow("directory.user_deactivated", "handlers:on_user_deactivated"),
    ),
    events=("AutomationNotified", "TaskCreated", "TaskCompleted"),
    timers=(
        TimerKind(
            "automation.time_rule",
            "handlers:on_time_rule_timer",
            description="A time rule's deadline for one customer (e.g. no follow-up in 15 days).",
        ),
    ),
    jobs=(
        JobKind(
            "automation.time_rule_timers",
            "handlers:on_timers_job_step",
            description="Arm a time rule's timers for the customers it already matches; stop "
            "those of a replaced, disabled or deleted rule.",
        ),
        JobKind(
            "automation.handover_tasks",
            "handlers:on_handover_step",
            description="A deactivated user's open tasks, page by page, to whom the directory "
            "names (their manager).",
        ),
    ),
    rule_sets=("automation rules (/v1/automation-rules)",),
)
