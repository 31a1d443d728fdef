"""Domain events of the contracts area (source `crm.contracts`), raised by its reactions to
changes of contracts and payments (so a replayed stream record raises the same event id)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from ..core import EventDetail


class ContractSigned(EventDetail):
    DETAIL_TYPE = "Contract Signed"

    contract_id: str
    customer_id: str
    opportunity_id: str
    owner_id: str
    value: str = Field(description="Contract value, 2 decimals, as a string.")
    currency: str
    signed_on: date
    term_start: date | None = None
    term_end: date | None = None


class PaymentReceived(EventDetail):
    DETAIL_TYPE = "Payment Received"

    contract_id: str
    customer_id: str
    payment_id: str
    amount: str = Field(description="Amount received, 2 decimals, as a string.")
    currency: str
    paid_on: date


class PaymentOverdue(EventDetail):
    DETAIL_TYPE = "Payment Overdue"

    contract_id: str
    customer_id: str
    owner_id: str
    instalment: int = Field(description="The instalment's number in the plan (from 1).")
    outstanding: str = Field(description="The contract's outstanding amount, as a string.")
    currency: str


class ContractRenewalDue(EventDetail):
    DETAIL_TYPE = "Contract Renewal Due"

    contract_id: str
    customer_id: str
    owner_id: str
    term_end: date
    renewal_opportunity_id: str | None = None
