"""The contracts area's reactions: one event per new fact, none on a replay of the same state."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from chalicelib.contracts.reactions import contract_changed, payment_changed
from chalicelib.core import Change

AT = datetime(2027, 2, 1, tzinfo=UTC)
CONTRACT = {
    "pk": "T#acme#C#c1",
    "sk": "CONTRACT#k1",
    "type": "Contract",
    "tenant_id": "acme",
    "contract_id": "k1",
    "customer_id": "c1",
    "opportunity_id": "o1",
    "owner_id": "rob",
    "status": "approved",
    "value": Decimal("1000"),
    "currency": "CNY",
    "outstanding": Decimal("1000"),
    "overdue_json": "[]",
}


def change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> Change:
    image = new or old or {}
    name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    keys = {"pk": image["pk"], "sk": image["sk"]}
    return Change("rec-1", name, "1", keys, old, new, AT)


def types(reaction: Any) -> list[str]:
    return [e.DETAIL_TYPE for e in reaction.events]


def test_given_an_approved_contract_signed_then_contract_signed_is_raised() -> None:
    signed = {**CONTRACT, "status": "signed", "signed_on": "2027-01-05", "term_end": "2027-12-31"}

    reaction = contract_changed(change(CONTRACT, signed))

    assert types(reaction) == ["Contract Signed"]
    assert str(reaction.events[0].term_end) == "2027-12-31"


def test_given_a_signed_contract_changed_again_then_no_second_signed_event() -> None:
    signed = {**CONTRACT, "status": "signed", "signed_on": "2027-01-05"}

    assert types(contract_changed(change(signed, {**signed, "renewal_terms": "x"}))) == []


def test_given_an_instalment_newly_flagged_then_one_payment_overdue_per_instalment() -> None:
    before = {**CONTRACT, "status": "signed", "signed_on": "2027-01-05", "overdue_json": "[1]"}
    after = {**before, "overdue_json": "[1,2]"}

    reaction = contract_changed(change(before, after))

    assert types(reaction) == ["Payment Overdue"]
    assert reaction.events[0].instalment == 2


def test_given_a_renewal_opened_then_contract_renewal_due_is_raised_once() -> None:
    signed = {**CONTRACT, "status": "signed", "signed_on": "2027-01-05"}
    renewed = {**signed, "renewed_for": "2027-12-31", "renewal_opportunity_id": "o2"}

    assert types(contract_changed(change(signed, renewed))) == ["Contract Renewal Due"]
    assert types(contract_changed(change(renewed, {**renewed, "version": 9}))) == []


def test_given_a_payment_inserted_then_payment_received_is_raised() -> None:
    payment = {
        "pk": "T#acme#C#c1",
        "sk": "CONTRACT#k1#PAY#p1",
        "type": "ContractPayment",
        "tenant_id": "acme",
        "payment_id": "p1",
        "contract_id": "k1",
        "customer_id": "c1",
        "amount": Decimal("250.5"),
        "currency": "CNY",
        "paid_on": "2027-01-20",
    }

    reaction = payment_changed(change(None, payment))

    assert types(reaction) == ["Payment Received"]
    assert reaction.events[0].amount == "250.50"
