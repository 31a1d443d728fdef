"""Request and response bodies of the leads area (pydantic v2, unknown fields forbidden)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from ..core import Day, Line, Moment, Schema, Strict, Text, WholeNumber
from ..customers.models import IdentityIn, Money

Name = Annotated[Line, Field(min_length=1, max_length=200)]
ShortText = Annotated[Line, Field(max_length=200)]
UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Version = Annotated[int, WholeNumber]


class Channel(StrEnum):
    """Where a lead came from."""

    WEB_FORM = "web_form"
    API = "api"
    IMPORT = "import"
    WECHAT = "wechat"
    PHONE = "phone"
    EMAIL = "email"
    EVENT = "event"
    REFERRAL = "referral"
    OTHER = "other"


class LeadStatus(StrEnum):
    NEW = "new"  # in the team's pool, nobody owns it
    ASSIGNED = "assigned"  # owned, first contact pending
    CONTACTED = "contacted"
    RECYCLED = "recycled"  # back in the pool: nobody contacted it in time
    CONVERTED = "converted"
    DISQUALIFIED = "disqualified"


class BudgetLevel(StrEnum):
    UNKNOWN = "unknown"
    NONE = "none"
    EXPLORING = "exploring"
    ALLOCATED = "allocated"


class Authority(StrEnum):
    UNKNOWN = "unknown"
    USER = "user"
    INFLUENCER = "influencer"
    DECISION_MAKER = "decision_maker"


class NeedLevel(StrEnum):
    UNKNOWN = "unknown"
    NONE = "none"
    NICE_TO_HAVE = "nice_to_have"
    IMPORTANT = "important"
    CRITICAL = "critical"


class Strategy(StrEnum):
    LOAD = "load"
    ROUND_ROBIN = "round_robin"


class Qualification(Strict):
    """What BANT knows of the lead; every part optional."""

    budget: BudgetLevel | None = None
    budget_amount: Money | None = None
    budget_currency: Currency | None = None
    authority: Authority | None = None
    need: NeedLevel | None = None
    timeline: Day | None = Field(default=None, description="When they mean to buy.")


class LeadCapture(Qualification):
    """A lead from any channel. At least one identity or a name."""

    name: Name | None = None
    company: ShortText | None = None
    identities: list[IdentityIn] = Field(default_factory=list, max_length=10)
    channel: Channel = Channel.API
    source: ShortText | None = Field(default=None, description="Campaign, form or list name.")
    interest: Annotated[Text, Field(max_length=2000)] | None = None
    region: ShortText | None = None
    industry: ShortText | None = None

    @model_validator(mode="after")
    def _someone(self) -> LeadCapture:
        if not self.identities and not self.name:
            raise ValueError("A lead needs at least a name or an identity.")
        return self


class LeadPatch(Qualification):
    """JSON merge patch of a lead; status may only become disqualified here."""

    name: Name | None = None
    company: ShortText | None = None
    interest: Annotated[Text, Field(max_length=2000)] | None = None
    region: ShortText | None = None
    industry: ShortText | None = None
    status: LeadStatus | None = Field(default=None, description="Only `disqualified`.")


class ScorePart(Schema):
    part: str
    points: int
    max_points: int
    reason: str


class LeadScore(Schema):
    score: int = Field(ge=0, le=100)
    parts: list[ScorePart]


class LeadIdentity(Schema):
    kind: str
    value: str


class Lead(Schema):
    id: str
    customer_id: str
    status: LeadStatus
    owner_id: str | None = None
    team_id: str | None = None
    name: str | None = None
    company: str | None = None
    identities: list[LeadIdentity] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    source: str | None = None
    interest: str | None = None
    region: str | None = None
    industry: str | None = None
    budget: str | None = None
    budget_amount: Decimal | None = None
    budget_currency: str | None = None
    authority: str | None = None
    need: str | None = None
    timeline: date | None = None
    score: LeadScore
    captures: int
    contacts: int
    engagement: int = Field(description="Contacts and interactions since capture.")
    assigned_at: datetime | None = None
    first_contact_due_at: datetime | None = None
    first_contacted_at: datetime | None = None
    assignment_reason: str | None = None
    opportunity_id: str | None = None
    converted_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class CaptureOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"  # an open lead of the same customer took the capture


class CaptureResult(Schema):
    outcome: CaptureOutcome
    lead_id: str
    customer_id: str
    customer_created: bool
    lead: Lead | None = Field(default=None, description="Absent when the caller may not see it.")
    version: int


class LeadPage(Schema):
    items: list[Lead]
    next: str | None = None


class AssignmentRequest(Strict):
    """Give the lead to a user, to the pool (owner_id null), or by the tenant's rules (auto)."""

    owner_id: UserId | None = None
    auto: bool = False


class ContactLog(Strict):
    channel: Channel = Channel.PHONE
    note: Annotated[Text, Field(max_length=2000)] | None = None
    occurred_at: Moment | None = Field(default=None, description="Defaults to now.")


class ConversionMode(StrEnum):
    AUTO = "auto"  # attach to the customer's open opportunity if it has one, else create
    NEW = "new"
    ATTACH = "attach"


class ConversionRequest(Strict):
    mode: ConversionMode = ConversionMode.AUTO
    opportunity_id: Annotated[Line, Field(min_length=1, max_length=64)] | None = Field(
        default=None, description="Attach to this open opportunity of the customer."
    )
    title: Name | None = None
    amount: Money | None = None
    currency: Currency | None = None
    expected_close: Day | None = None


class ConversionResult(Schema):
    lead: Lead
    customer_id: str
    opportunity_id: str
    opportunity_created: bool
    contact_added: bool


class AssignmentRule(Strict):
    name: Name
    region: ShortText | None = None
    industry: ShortText | None = None
    team_id: UserId | None = None
    owner_id: UserId | None = Field(default=None, description="A fixed rep (if active).")
    strategy: Strategy = Strategy.LOAD

    @model_validator(mode="after")
    def _complete(self) -> AssignmentRule:
        if self.region is None and self.industry is None:
            raise ValueError("A rule matches on region, industry or both.")
        if self.team_id is None and self.owner_id is None:
            raise ValueError("A rule assigns to a team, a rep or both.")
        return self


class AssignmentRules(Strict):
    """A tenant's lead assignment: the first matching rule wins, else the default team."""

    rules: list[AssignmentRule] = Field(default_factory=list, max_length=100)
    default_team_id: UserId | None = None
    default_strategy: Strategy = Strategy.ROUND_ROBIN
    version: Version | None = Field(default=None, description="Read-only; send If-Match.")


class LeadSettings(Strict):
    first_contact_hours: Annotated[int, Field(ge=1, le=720), WholeNumber] = 24
    version: Version | None = Field(default=None, description="Read-only; send If-Match.")
