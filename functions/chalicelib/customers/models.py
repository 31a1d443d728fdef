"""Request and response bodies of the customers area (pydantic v2, unknown fields forbidden).

`Customer360` is assembled on first use from every area's 360 sections (the registry), so a new
area's section appears in the view, typed, without a line here.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

from pydantic import Field, StringConstraints, WithJsonSchema, create_model

from ..core import DynamoNumber, Line, Moment, Schema, Strict, Text, WholeNumber, registry
from .vocabulary import (
    CustomerType,
    CustomFieldType,
    IdentityKind,
    LifecycleStage,
    SourceChannel,
    Tier,
)

Name = Annotated[Line, Field(min_length=1, max_length=200)]
UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")]
ShortText = Annotated[Line, Field(max_length=500)]
ItemId = Annotated[Line, Field(min_length=1, max_length=64)]
CUSTOM_FIELD_NAME = r"^[a-z][a-z0-9_]{0,39}$"
# A custom field's value; its type is the tenant's (TenantSettings), checked by rules.
CustomValue = Annotated[Text, Field(max_length=2000)] | DynamoNumber | bool | None
CustomFields = Annotated[
    dict[Annotated[str, StringConstraints(pattern=CUSTOM_FIELD_NAME)], CustomValue],
    Field(
        max_length=100,
        description="Values of the tenant's custom fields (GET /v1/tenant-settings).",
        json_schema_extra={"propertyNames": {"pattern": CUSTOM_FIELD_NAME}},
    ),
]
# Profile fields an automation rule may set (besides custom fields, checked per tenant).
RULE_CHANGEABLE_FIELDS = ("lifecycle_stage", "tier")


class Consent(Strict):
    """Marketing and processing consent; absent means not given."""

    email_marketing: bool = False
    sms_marketing: bool = False
    wechat_marketing: bool = False
    phone_calls: bool = False
    data_processing: bool = False


class IdentityIn(Strict):
    kind: IdentityKind
    value: Annotated[Line, Field(min_length=1, max_length=254)]
    system: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,32}$")] | None = Field(
        default=None, description="Source system of an external id, e.g. 'erp'."
    )


class Identity(Schema):
    kind: IdentityKind
    value: str
    system: str | None = None
    verified: bool = False


class CustomerCreate(Strict):
    type: CustomerType = CustomerType.PERSON
    name: Name
    owner_id: UserId | None = Field(default=None, description="Sales rep; defaults to the caller.")
    team_id: UserId | None = None
    lifecycle_stage: LifecycleStage = LifecycleStage.LEAD
    tier: Tier = Tier.STANDARD
    source: SourceChannel = SourceChannel.OTHER
    consent: Consent = Field(default_factory=Consent)
    custom_fields: CustomFields = Field(default_factory=dict)
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)


class CustomerPatch(Strict):
    """JSON merge patch of the profile; identities have routes of their own."""

    type: CustomerType | None = None
    name: Name | None = None
    owner_id: UserId | None = None
    team_id: UserId | None = None
    lifecycle_stage: LifecycleStage | None = None
    tier: Tier | None = None
    source: SourceChannel | None = None
    consent: Consent | None = None
    custom_fields: CustomFields | None = None


class Customer(Schema):
    id: str
    type: CustomerType
    name: str
    owner_id: str
    team_id: str | None = None
    lifecycle_stage: LifecycleStage
    tier: Tier
    source: SourceChannel
    consent: Consent
    custom_fields: dict[str, Any]
    identities: list[Identity]
    aggregates: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class CustomerPage(Schema):
    items: list[Customer]
    next: str | None = None


class ContactCreate(Strict):
    name: Name
    title: ShortText | None = None
    phone: Annotated[Line, Field(max_length=40)] | None = None
    email: Annotated[Line, Field(max_length=254)] | None = None
    is_primary: bool = False
    notes: Annotated[Text, Field(max_length=2000)] | None = None


class Contact(Schema):
    id: str
    name: str
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    is_primary: bool = False
    notes: str | None = None
    created_at: datetime


class InteractionKind(StrEnum):
    CALL = "call"
    VISIT = "visit"
    EMAIL = "email"
    CHAT = "chat"
    MEETING = "meeting"
    NOTE = "note"


class InteractionChannel(StrEnum):
    PHONE = "phone"
    WECHAT = "wechat"
    WECOM = "wecom"
    EMAIL = "email"
    WEB = "web"
    APP = "app"
    STORE = "store"
    OTHER = "other"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class InteractionCreate(Strict):
    kind: InteractionKind
    channel: InteractionChannel
    direction: Direction
    subject: ShortText | None = None
    text: Annotated[Text, Field(max_length=10000)] = ""
    occurred_at: Moment | None = Field(default=None, description="Defaults to now.")
    contact_id: ItemId | None = None


class Interaction(Schema):
    id: str
    kind: InteractionKind
    channel: InteractionChannel
    direction: Direction
    subject: str | None = None
    text: str | None = Field(default=None, description="Hidden from roles that may not read it.")
    sentiment: float | None = Field(
        default=None,
        description="An inbound message's tone, -1 (negative) to 1, from its words (a zh/en "
        "lexicon); shown to every role, also those that may not read the text.",
    )
    occurred_at: datetime
    contact_id: str | None = None
    logged_by: str


class OrderStatus(StrEnum):
    PLACED = "placed"
    PAID = "paid"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2),
    WithJsonSchema(
        {
            "description": "An amount: 0 to 999999999999.99, at most 2 decimals; a JSON number "
            'or a string such as "199.00".',
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 999999999999.99, "multipleOf": 0.01},
                {"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$"},
            ],
        },
        mode="validation",
    ),
]


class OrderLine(Strict):
    sku: Annotated[Line, Field(min_length=1, max_length=64)]
    name: ShortText | None = None
    quantity: Annotated[int, Field(ge=1, le=1_000_000), WholeNumber] = 1
    unit_price: Money


class OrderCreate(Strict):
    order_no: Annotated[Line, Field(min_length=1, max_length=64)] | None = None
    amount: Money
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    status: OrderStatus = OrderStatus.PLACED
    items: list[OrderLine] = Field(default_factory=list, max_length=200)
    occurred_at: Moment | None = Field(default=None, description="Defaults to now.")


class Order(Schema):
    id: str
    order_no: str | None = None
    amount: Decimal
    currency: str
    status: OrderStatus
    items: list[OrderLine]
    occurred_at: datetime
    logged_by: str


class MatchRequest(Strict):
    name: Name | None = None
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)


class MatchCandidate(Schema):
    customer: Customer
    score: float = Field(description="0-100; 100 is an identity match.")
    reasons: list[str]


class MatchResult(Schema):
    candidates: list[MatchCandidate]


class Customer360Base(Schema):
    """The 360 view's own parts; each area's sections are added to it (see `Customer360`)."""

    profile: Customer | None = Field(default=None, description="On the first page only.")
    identities: list[Identity] = Field(default_factory=list)
    next: str | None = None


@lru_cache(maxsize=1)
def customer_360_model() -> type[Customer360Base]:
    areas = registry()
    sections: dict[str, Any] = {
        section.name: (
            list[areas.section_model(item_type)],  # type: ignore[misc]
            Field(default_factory=list, description=section.description or None),
        )
        for item_type, section in areas.sections()
    }
    model: type[Customer360Base] = create_model(
        "Customer360",
        __base__=Customer360Base,
        __doc__="A customer's profile and every area's section of its story, one page.",
        **sections,
    )
    return model


def __getattr__(name: str) -> Any:
    """`Customer360`, built from the registry on first use."""
    if name == "Customer360":
        return customer_360_model()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class CustomFieldDef(Strict):
    name: Annotated[str, StringConstraints(pattern=CUSTOM_FIELD_NAME)]
    type: CustomFieldType
    required: bool = False
    options: list[Annotated[Line, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=200
    )
    label: ShortText | None = None


class TenantSettings(Strict):
    default_phone_region: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "CN"
    custom_fields: list[CustomFieldDef] = Field(default_factory=list, max_length=100)
    version: Annotated[int, WholeNumber] | None = Field(
        default=None, description="Read-only; send If-Match to update."
    )
