"""Request and response bodies of the sales area (pydantic v2, unknown fields forbidden):
pipelines and their stages, opportunities, moves, currencies, targets and the forecast."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from ..core import (
    Day,
    Line,
    Moment,
    NonNegativeNumber,
    PositiveNumber,
    Schema,
    Strict,
    Text,
    WholeNumber,
)

UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@:-]{1,128}$")]
StageId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Title = Annotated[Line, Field(min_length=1, max_length=200)]
Reason = Annotated[Text, Field(min_length=1, max_length=1000)]
Period = Annotated[
    str, StringConstraints(pattern=r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])$")
]
Money = NonNegativeNumber
Probability = Annotated[int, Field(ge=0, le=100), WholeNumber]


class StageOutcome(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class RequiredField(StrEnum):
    """What a stage may require of an opportunity before it enters."""

    AMOUNT = "amount"
    CURRENCY = "currency"
    EXPECTED_CLOSE = "expected_close"
    PRODUCTS = "products"
    STAKEHOLDERS = "stakeholders"
    DECISION_MAKER = "decision_maker"


class Stage(Strict):
    id: StageId
    name: Annotated[Line, Field(min_length=1, max_length=80)]
    probability: Probability = Field(description="Win probability in percent.")
    outcome: StageOutcome = StageOutcome.OPEN
    commit: bool = Field(default=False, description="Open deals here count as commit.")
    required_fields: list[RequiredField] = Field(default_factory=list, max_length=10)
    approval: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")] | None = Field(
        default=None,
        description="Entering needs an approval of this subject type (e.g. opportunity_stage), "
        "bound to the deal's amount, currency, products, customer and expected close.",
    )
    archived: bool = False


class Transition(Strict):
    """A move allowed from `from_stage` to `to`, when `guard` (rule language) holds."""

    name: Annotated[Line, Field(min_length=1, max_length=80)]
    from_stage: StageId
    to: StageId
    guard: Any = Field(default=None, description="A rule-language condition on the deal.")


class PipelineBody(Strict):
    """A pipeline as an admin writes it (PUT, If-Match)."""

    name: Annotated[Line, Field(min_length=1, max_length=80)]
    stages: list[Stage] = Field(min_length=2, max_length=30)
    transitions: list[Transition] = Field(default_factory=list, max_length=300)
    expected_close_from: StageId | None = Field(
        default=None, description="`expected_close` is required from this stage onward."
    )

    @model_validator(mode="after")
    def _consistent(self) -> PipelineBody:
        ids = [s.id for s in self.stages]
        if len(set(ids)) != len(ids):
            raise ValueError("stage ids must be unique")
        known = set(ids)
        for t in self.transitions:
            if t.from_stage not in known or t.to not in known:
                raise ValueError(f"transition {t.name!r} names an unknown stage")
        if self.expected_close_from is not None and self.expected_close_from not in known:
            raise ValueError("expected_close_from names an unknown stage")
        return self


class Pipeline(PipelineBody):
    id: str
    version: Annotated[int, WholeNumber] = Field(
        description="0: the shipped default, never edited."
    )
    updated_at: datetime | None = None
    updated_by: str | None = None


class PipelinePage(Schema):
    items: list[Pipeline]


class StakeholderRole(StrEnum):
    DECISION_MAKER = "decision_maker"
    CHAMPION = "champion"
    USER = "user"
    INFLUENCER = "influencer"
    BLOCKER = "blocker"
    ECONOMIC_BUYER = "economic_buyer"
    TECHNICAL_BUYER = "technical_buyer"


class Stakeholder(Strict):
    contact_id: Annotated[Line, Field(max_length=64)] | None = None
    name: Annotated[Line, Field(min_length=1, max_length=120)]
    role: StakeholderRole
    last_engaged: Day | None = None


class Product(Strict):
    sku: Annotated[Line, Field(min_length=1, max_length=64)]
    name: Annotated[Line, Field(max_length=200)] | None = None
    quantity: PositiveNumber = 1
    unit_price: Money | None = None


class OpportunityCreate(Strict):
    customer_id: Annotated[Line, Field(min_length=1, max_length=64)]
    title: Title
    pipeline_id: StageId = "b2b"
    stage: StageId | None = Field(default=None, description="Default: the first open stage.")
    owner_id: UserId | None = Field(default=None, description="Default: the customer's owner.")
    amount: Money | None = None
    currency: Currency | None = None
    expected_close: Day | None = None
    products: list[Product] = Field(default_factory=list, max_length=100)
    stakeholders: list[Stakeholder] = Field(default_factory=list, max_length=50)
    probability_override: Probability | None = None


class OpportunityPatch(Strict):
    """Merge patch of what users edit; stage moves have their own route. Null clears a field,
    except the title and the owner, which a deal always has."""

    title: Title | SkipJsonSchema[None] = None
    amount: Money | None = None
    currency: Currency | None = None
    expected_close: Day | None = None
    products: list[Product] | None = Field(default=None, max_length=100)
    stakeholders: list[Stakeholder] | None = Field(default=None, max_length=50)
    probability_override: Probability | None = None
    owner_id: UserId | SkipJsonSchema[None] = None

    @field_validator("title", "owner_id", mode="before")
    @classmethod
    def _kept(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("a deal always has one; it may be changed, not cleared")
        return value


class GateRequest(Strict):
    stage: StageId = Field(description="The gated stage the deal is to enter, e.g. contract.")


class GateApproval(Schema):
    """The approval a deal asked for to enter a gated stage (see /v1/approvals/{id})."""

    approval_id: str
    stage: str
    status: str


class Move(Strict):
    to: StageId
    reason: Reason | None = None


class FollowUp(Strict):
    note: Annotated[Text, Field(max_length=2000)] | None = None
    at: Moment | None = Field(default=None, description="Default: now.")


class HistoryEntry(Schema):
    by: str
    at: datetime
    from_stage: str | None
    to: str
    why: str | None = None


class Health(Schema):
    score: int
    colour: str
    reasons: list[str]


class Opportunity(Schema):
    id: str
    customer_id: str
    pipeline_id: str
    title: str
    owner_id: str
    team_id: str | None = None
    stage: str
    status: StageOutcome
    amount: str | None = None
    currency: str | None = None
    base_amount: str | None = None
    base_currency: str | None = None
    rate_missing: bool = False
    expected_close: date | None = None
    probability: int
    probability_override: int | None = None
    products: list[dict[str, Any]] = Field(default_factory=list)
    stakeholders: list[dict[str, Any]] = Field(default_factory=list)
    stage_history: list[HistoryEntry] = Field(default_factory=list)
    lost_reason: str | None = None
    follow_ups: list[dict[str, Any]] | None = Field(
        default=None, description="Latest first; left out for roles that may not read text."
    )
    last_follow_up_at: datetime | None = None
    health: Health | None = None
    stale_since: datetime | None = None
    lead_id: str | None = None
    contract_id: str | None = None
    created_at: datetime
    updated_at: datetime
    won_at: datetime | None = None
    closed_at: datetime | None = None
    version: int


class OpportunityPage(Schema):
    items: list[Opportunity]
    next: str | None = None


class OpportunitySummary(Schema):
    """What leads and contracts read of a customer's open deals."""

    id: str
    customer_id: str
    title: str
    owner_id: str
    team_id: str | None = None
    stage: str
    amount: str | None = None
    currency: str | None = None


class SalesSettings(Strict):
    base_currency: Currency = "CNY"
    version: Annotated[int, WholeNumber] | None = Field(
        default=None, description="Read-only; send If-Match to update."
    )


class ExchangeRate(Strict):
    currency: Currency
    day: Day
    rate: PositiveNumber = Field(description="Base units per 1 unit.")

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class ExchangeRatePage(Schema):
    items: list[ExchangeRate]


class Target(Strict):
    period: Period
    owner_id: UserId | None = None
    team_id: UserId | None = None
    amount: Money = Field(description="In the base currency.")

    @model_validator(mode="after")
    def _one_scope(self) -> Target:
        if (self.owner_id is None) == (self.team_id is None):
            raise ValueError("name exactly one of owner_id or team_id")
        return self


class Forecast(Schema):
    period: str
    scope: str = Field(description="owner:<id> or team:<id>.")
    base_currency: str
    weighted: str
    commit: str
    pipeline: str
    won: str
    won_count: int
    open_count: int
    rate_missing: int = Field(description="Deals left out of the sums for want of a rate.")
    target: str | None = None
    attainment: float | None = Field(default=None, description="won / target.")


# --- task dispatch rules ------------------------------------------------------------------------


class DispatchTrigger(StrEnum):
    STAGE_ENTERED = "stage_entered"
    HEALTH_BELOW = "health_below"
    WON = "won"


class DispatchAssignee(StrEnum):
    SKILL = "skill"
    ROLE = "role"
    OWNER = "owner"
    OWNERS_MANAGER = "owners_manager"


class DispatchRule(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")] = Field(
        description="Names the rule in task keys: a replayed change opens nothing twice."
    )
    trigger: DispatchTrigger
    stage: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")] | None = Field(
        default=None, description="The stage entered (trigger stage_entered)."
    )
    below: Annotated[int, Field(ge=1, le=100), WholeNumber] | None = Field(
        default=None, description="The health score fallen below (health_below)."
    )
    assignee: DispatchAssignee
    skill: Line | None = Field(default=None, description="The directory skill (assignee skill).")
    role: Line | None = Field(default=None, description="The role (assignee role).")
    title: Line
    due_in_days: Annotated[int, Field(ge=0, le=365), WholeNumber] = 2

    @model_validator(mode="after")
    def _complete(self) -> DispatchRule:
        if self.trigger == DispatchTrigger.STAGE_ENTERED and self.stage is None:
            raise ValueError("a stage_entered rule names its stage")
        if self.trigger == DispatchTrigger.HEALTH_BELOW and self.below is None:
            raise ValueError("a health_below rule names its score (below)")
        if self.assignee == DispatchAssignee.SKILL and not self.skill:
            raise ValueError("a skill assignee names the skill")
        if self.assignee == DispatchAssignee.ROLE and not self.role:
            raise ValueError("a role assignee names the role")
        return self


class DispatchRules(Strict):
    rules: list[DispatchRule] = Field(max_length=50)
    version: Annotated[int, WholeNumber] | None = Field(
        default=None, description="Read-only; send If-Match to update."
    )

    @model_validator(mode="after")
    def _unique(self) -> DispatchRules:
        ids = [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("rule ids are unique")
        return self


class HealthTraining(Schema):
    at: datetime
    reason: str
    won: int
    lost: int
    holdout_auc: float | None = None
    incumbent_auc: float | None = None


class HealthModelView(Schema):
    """The health model the tenant's scores use, and the last night's training."""

    in_use: str = Field(description="prior (shipped) or trained (the tenant's own)")
    version: str
    intercept: float
    coefficients: dict[str, float]
    auc: float | None = Field(default=None, description="Holdout AUC when it was promoted.")
    trained_on: int
    promoted_at: datetime | None = None
    last_training: HealthTraining | None = None
