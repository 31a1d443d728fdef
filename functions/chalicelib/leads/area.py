"""What the leads area registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, JobKind, TimerKind

AREA = Area(
    name="leads",
    package=__package__ or "chalicelib.leads",
    summary="Leads from any channel: dedup on capture, BANT score, assignment rules, "
    "first-contact deadline, conversion into an opportunity.",
    blueprints=("api:bp",),
    item_types=(
        ItemType(
            "Lead",
            react="reactions:lead_changed",
            description="A lead; its changes raise Lead Captured / Assigned / Recycled and move "
            "the reps' open-lead counts.",
        ),
        ItemType("LeadGuard", description="A customer's one open lead (dedup on capture)."),
        ItemType("LeadLoad", description="A rep's open leads in a team (kept by the stream)."),
        ItemType("LeadMark", description="A count move applied once (TTL)."),
        ItemType("LeadTurn", description="A team's round-robin position."),
        ItemType("LeadConfig", description="A tenant's lead settings or assignment rules."),
    ),
    notices=("leads.lead_changed", "leads.captured"),
    follows=(
        Follow("leads.lead_changed", "handlers:on_lead_changed"),
        Follow(
            "customers.changed",
            "handlers:on_customer_changed",
            prepare="handlers:before_customers_changed",
        ),
        Follow("directory.user_deactivated", "handlers:on_user_deactivated"),
    ),
    events=("LeadCaptured", "LeadAssigned", "LeadRecycled"),
    timers=(
        TimerKind(
            "leads.first_contact",
            "handlers:on_first_contact_timer",
            description="A lead's first-contact deadline: uncontacted, it goes back to the "
            "team's pool and the manager gets a task.",
        ),
    ),
    jobs=(
        JobKind(
            "leads.handover",
            "handlers:on_handover_step",
            description="A deactivated user's open leads go to their manager, page by page.",
        ),
    ),
)
