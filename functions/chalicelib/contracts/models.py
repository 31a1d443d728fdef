"""Pydantic models of the contracts area: what clients send (Strict) and what the API answers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, WithJsonSchema

from ..core import Day, Line, Schema, Strict, Text
from ..customers.models import Money

Title = Annotated[Line, Field(min_length=1, max_length=200)]
Terms = Annotated[Text, Field(max_length=4000)]
Reference = Annotated[Line, Field(min_length=1, max_length=120)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class ContractStatus(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    SIGNED = "signed"
    VOID = "void"


class PaymentStatus(StrEnum):
    NO_PLAN = "no_plan"  # nothing owed on a schedule yet
    ON_TRACK = "on_track"  # instalments outstanding, none overdue
    OVERDUE = "overdue"  # at least one instalment's due day has passed unpaid
    PAID = "paid"  # the whole value received


class InstalmentStatus(StrEnum):
    PAID = "paid"
    PARTLY_PAID = "partly_paid"
    DUE = "due"
    OVERDUE = "overdue"


class Party(Schema):
    role: str = Field(description="seller or customer")
    name: str
    identities: list[str] = Field(default_factory=list, description="kind:value, as stored.")


# An amount above 0 (Money with its lower bound moved past 0, in the JSON Schema too).
PositiveMoney = Annotated[
    Decimal,
    Field(gt=0, max_digits=14, decimal_places=2),
    WithJsonSchema(
        {
            "description": "An amount above 0, up to 999999999999.99 with at most 2 decimals; "
            'a JSON number or a string such as "199.00".',
            "anyOf": [
                {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": 999999999999.99,
                    "multipleOf": 0.01,
                },
                {"type": "string", "pattern": r"^(?!0+(\.0{1,2})?$)[0-9]{1,12}(\.[0-9]{1,2})?$"},
            ],
        },
        mode="validation",
    ),
]


class InstalmentIn(Strict):
    due_on: Day
    amount: Money


class PaymentPlanIn(Strict):
    instalments: list[InstalmentIn] = Field(min_length=1, max_length=120)


class Instalment(Schema):
    number: int
    due_on: date
    amount: Decimal
    paid: Decimal
    status: InstalmentStatus


class ContractPatch(Strict):
    """A change to a contract: any field of value, term or renewal terms is material and voids
    a pending or granted approval."""

    title: Title | None = None
    value: Money | None = None
    contract_type: Annotated[Line, Field(min_length=1, max_length=40)] | None = None
    term_start: Day | None = None
    term_end: Day | None = None
    renewal_terms: Terms | None = None


class SignatureIn(Strict):
    signed_on: Day
    term_start: Day | None = Field(default=None, description="Defaults to the contract's.")
    term_end: Day | None = Field(default=None, description="Defaults to the contract's.")
    signatories: list[Title] = Field(default_factory=list, max_length=10)
    plan: PaymentPlanIn | None = Field(default=None, description="Optional: set the plan now.")


class PaymentIn(Strict):
    amount: PositiveMoney
    paid_on: Day
    reference: Reference


class Payment(Schema):
    id: str
    contract_id: str
    amount: Decimal
    currency: str
    paid_on: date
    reference: str
    recorded_by: str
    recorded_at: datetime


class PaymentPage(Schema):
    items: list[Payment]


class Contract(Schema):
    id: str
    customer_id: str
    opportunity_id: str
    owner_id: str
    team_id: str | None = None
    status: ContractStatus
    title: str
    contract_type: str
    parties: list[Party]
    value: Decimal
    currency: str
    base_value: Decimal | None = None
    base_currency: str | None = None
    products: list[str] = Field(default_factory=list)
    term_start: date | None = None
    term_end: date | None = None
    renewal_terms: str
    approval_id: str | None = None
    signed_on: date | None = None
    signatories: list[str] = Field(default_factory=list)
    instalments: list[Instalment] = Field(default_factory=list)
    paid: Decimal
    outstanding: Decimal
    payment_status: PaymentStatus
    renewal_opportunity_id: str | None = None
    void_reason: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int


class ContractSection(Schema):
    """A contract as the customer 360 view lists it. A contract the caller may not open (a deal
    of another rep on a customer they see) shows only that it exists: id, status, term."""

    id: str
    title: str | None = None
    status: ContractStatus
    value: Decimal | None = None
    currency: str | None = None
    term_start: date | None = None
    term_end: date | None = None
    paid: Decimal | None = None
    outstanding: Decimal | None = None
    payment_status: PaymentStatus | None = None
    next_due_on: date | None = None


class Approval(Schema):
    contract_id: str
    approval_id: str
    status: ContractStatus
    route: list[str] = Field(
        default_factory=list,
        description="The approval's steps in order: role:legal, user:<id>, management.",
    )


__all__ = [
    "Approval",
    "Contract",
    "ContractPatch",
    "ContractSection",
    "ContractStatus",
    "Instalment",
    "InstalmentIn",
    "InstalmentStatus",
    "Party",
    "Payment",
    "PaymentIn",
    "PaymentPage",
    "PaymentPlanIn",
    "PaymentStatus",
    "SignatureIn",
]
