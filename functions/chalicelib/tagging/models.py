"""Request and response bodies of the tagging area (pydantic v2, unknown fields forbidden)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from ..core import Line, Schema, Strict, Text, WholeNumber
from ..customers.models import LifecycleStage, Tier


def no_hash(name: str) -> str:
    if "#" in name:
        raise ValueError("must not contain '#'")
    return name


# A tag name is also the sort key `TAG#<name>`: no '#' (and, as a Line, no control characters).
TagName = Annotated[
    Line,
    Field(min_length=1, max_length=64, json_schema_extra={"not": {"pattern": "#"}}),
    AfterValidator(no_hash),
]
Description = Annotated[Text, Field(max_length=500)]
Condition = Annotated[
    Any,
    Field(
        description="A rule-language expression, e.g. "
        '{"all": [{">": [{"var": "aggregates.order_total_12m"}, 10000]}, '
        '{"in": [{"var": "tier"}, ["gold", "black"]]}]}.'
    ),
]


class TagCategory(StrEnum):
    ATTRIBUTE = "attribute"
    BEHAVIOUR = "behaviour"
    VALUE = "value"
    RISK = "risk"


class TagRuleCreate(Strict):
    name: TagName = Field(description="The tag the rule sets; unique in the tenant.")
    category: TagCategory
    condition: Condition
    weight: Annotated[int, Field(ge=0, le=100), WholeNumber] = 50
    enabled: bool = True
    description: Description | None = None


class TagRulePatch(Strict):
    name: TagName | None = None
    category: TagCategory | None = None
    condition: Condition | None = None
    weight: Annotated[int, Field(ge=0, le=100), WholeNumber] | None = None
    enabled: bool | None = None
    description: Description | None = None


class TagRule(Schema):
    id: str
    name: str
    category: TagCategory
    condition: Any
    weight: int
    enabled: bool
    description: str | None = None
    template: str | None = None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int
    backfill_job_id: str | None = Field(
        default=None,
        description="The job applying the rule's last change to existing customers "
        "(GET /v1/jobs/{job_id}).",
    )


class TagRulePage(Schema):
    items: list[TagRule]
    next: str | None = None


class DryRunScope(Strict):
    """Which customers to try the rule on: one page of those with this owner, stage or tier."""

    owner_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")] | None = None
    lifecycle_stage: LifecycleStage | None = None
    tier: Tier | None = None

    @model_validator(mode="after")
    def _one_facet(self) -> DryRunScope:
        if sum(v is not None for v in (self.owner_id, self.lifecycle_stage, self.tier)) != 1:
            raise ValueError("give exactly one of owner_id, lifecycle_stage, tier")
        return self


class DryRunRequest(Strict):
    condition: Condition
    scope: DryRunScope = Field(
        default_factory=lambda: DryRunScope(lifecycle_stage=LifecycleStage.CUSTOMER),
        description="Defaults to the customers in lifecycle stage 'customer'.",
    )
    limit: Annotated[int, Field(ge=1, le=100), WholeNumber] = 25
    next: Annotated[str, StringConstraints(max_length=2048)] | None = Field(
        default=None, description="Cursor of the previous dry run's page."
    )


class DryRunMatch(Schema):
    customer_id: str
    name: str
    owner_id: str
    tier: str
    lifecycle_stage: str


class DryRunResult(Schema):
    evaluated: int = Field(description="Customers on this page the rule was tried on.")
    matched: list[DryRunMatch]
    next: str | None = None


class IndustryTemplate(StrEnum):
    RETAIL = "retail"
    B2B_SOFTWARE = "b2b_software"


class EnableTemplateRequest(Strict):
    template: IndustryTemplate


class EnableTemplateResult(Schema):
    created: list[TagRule]
    skipped: list[str] = Field(description="Names the tenant has a rule for already.")


class CustomerTag(Schema):
    """A tag on a customer (the 360 view's `tags`): which rule set it, or by hand/automation."""

    tag: str
    source: str
    rule_id: str | None = None
    rule_version: int | None = None
    category: str | None = None
    weight: int | None = None
    evaluated_at: datetime
