"""What the tagging area registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, JobKind, Section

AREA = Area(
    name="tagging",
    package=__package__ or "chalicelib.tagging",
    summary="Dynamic tags from tenant tag rules, re-evaluated whenever a customer changes.",
    blueprints=("api:bp",),
    item_types=(
        ItemType(
            "Tag",
            react="reactions:tag_changed",
            section=Section("tags", "CustomerTag", "service:tag_view"),
        ),
        ItemType("TagRule", description="A tenant's tag rule (core rule-set toolkit)."),
    ),
    follows=(
        Follow(
            "customers.changed",
            "handlers:on_customer_changed",
            prepare="handlers:before_customers_changed",
        ),
    ),
    events=("CustomerTagged", "CustomerUntagged"),
    jobs=(
        JobKind(
            "tagging.retag_all",
            "handlers:on_retag_job_step",
            description="Re-tag every customer after a tag rule was created, changed or deleted.",
        ),
    ),
    facts="rules:FACTS",
    rule_sets=("tag rules (/v1/tag-rules)",),
)
