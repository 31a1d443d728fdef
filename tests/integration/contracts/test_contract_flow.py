"""A contract's way from draft to paid: approval on its route, signature, plan, payments; and
what a material edit does to an approval."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import PLAN, TERMS, Deal

REP = ("rob", "sales_rep")
FINANCE = ("fay", "finance")


def test_given_a_draft_with_terms_when_approval_is_asked_then_it_waits_on_legal(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win()
    api.patch(f"/v1/contracts/{deal.contract_id}", TERMS, as_=REP)

    response = api.post(f"/v1/contracts/{deal.contract_id}/approval", as_=REP)

    assert response.status_code == 201
    assert response.json["status"] == "pending_approval"
    assert response.json["route"] == ["role:legal"]


def test_given_a_large_contract_then_its_route_adds_finance(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win(amount="250000")
    api.patch(f"/v1/contracts/{deal.contract_id}", TERMS, as_=REP)

    response = api.post(f"/v1/contracts/{deal.contract_id}/approval", as_=REP)

    assert response.json["route"] == ["role:legal", "role:finance"]


def test_given_an_approved_contract_then_signing_it_records_the_terms_and_plan(
    api: Any, approved: Callable[..., Deal]
) -> None:
    deal = approved()
    assert api.get(f"/v1/contracts/{deal.contract_id}").json["status"] == "approved"

    body = {"signed_on": "2026-12-20", "signatories": ["Lin Wei"], "plan": PLAN}
    response = api.post(f"/v1/contracts/{deal.contract_id}/signature", body, as_=REP)

    assert response.status_code == 201
    contract = response.json
    assert contract["status"] == "signed"
    assert contract["signed_on"] == "2026-12-20"
    assert contract["term_end"] == "2027-12-31"
    assert [i["amount"] for i in contract["instalments"]] == ["20000.00", "30000.00"]
    assert contract["payment_status"] == "on_track"


def test_given_a_draft_without_a_term_then_it_cannot_go_for_approval(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win()

    response = api.post(f"/v1/contracts/{deal.contract_id}/approval", as_=REP)

    assert response.status_code == 422
    assert response.json["field"] == "term_start"


def test_given_a_draft_then_it_cannot_be_signed(api: Any, win: Callable[..., Deal]) -> None:
    deal = win()

    response = api.post(
        f"/v1/contracts/{deal.contract_id}/signature", {"signed_on": "2026-12-20"}, as_=REP
    )

    assert response.status_code == 409


def test_given_an_approved_contract_when_its_value_changes_then_the_approval_is_void(
    api: Any, approved: Callable[..., Deal]
) -> None:
    from chalicelib.approvals import service as approvals

    deal = approved()
    version = api.get(f"/v1/contracts/{deal.contract_id}").json["version"]

    response = api.patch(
        f"/v1/contracts/{deal.contract_id}",
        {"value": "48000"},
        as_=REP,
        headers={"If-Match": f'"{version}"'},
    )

    assert response.json["status"] == "draft"
    current = approvals.current("acme", "contract", deal.contract_id)
    assert current is not None
    assert str(current.status) == "void"


def test_given_a_stale_version_then_the_edit_is_refused(api: Any, win: Callable[..., Deal]) -> None:
    deal = win()

    response = api.patch(
        f"/v1/contracts/{deal.contract_id}", TERMS, as_=REP, headers={"If-Match": '"7"'}
    )

    assert response.status_code == 412


def test_given_a_plan_not_summing_to_the_value_then_it_is_refused(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win()
    plan = {"instalments": [{"due_on": "2027-01-31", "amount": "100"}]}

    response = api.put(f"/v1/contracts/{deal.contract_id}/plan", plan, as_=REP)

    assert response.status_code == 422
    assert "sum to 100.00" in response.json["detail"]


def test_given_a_signed_contract_when_finance_records_payments_then_outstanding_falls_to_zero(
    api: Any, signed: Callable[..., Deal]
) -> None:
    deal = signed()
    path = f"/v1/contracts/{deal.contract_id}/payments"

    first = api.post(
        path, {"amount": "20000", "paid_on": "2027-01-20", "reference": "B-1"}, as_=FINANCE
    )
    second = api.post(
        path, {"amount": "30000", "paid_on": "2027-02-20", "reference": "B-2"}, as_=FINANCE
    )

    assert (first.status_code, second.status_code) == (201, 201)
    contract = api.get(f"/v1/contracts/{deal.contract_id}", as_=FINANCE).json
    assert contract["outstanding"] == "0.00"
    assert contract["payment_status"] == "paid"
    assert [p["reference"] for p in api.get(path, as_=FINANCE).json["items"]] == ["B-1", "B-2"]


def test_given_an_over_payment_then_it_is_refused(api: Any, signed: Callable[..., Deal]) -> None:
    deal = signed()

    response = api.post(
        f"/v1/contracts/{deal.contract_id}/payments",
        {"amount": "50000.01", "paid_on": "2027-01-20", "reference": "B-1"},
        as_=FINANCE,
    )

    assert response.status_code == 422
    assert response.json["field"] == "amount"


def test_given_a_payment_retried_with_its_idempotency_key_then_it_counts_once(
    api: Any, signed: Callable[..., Deal]
) -> None:
    deal = signed()
    body = {"amount": "5000", "paid_on": "2027-01-20", "reference": "B-1"}
    key = {"Idempotency-Key": "pay-b-1"}
    path = f"/v1/contracts/{deal.contract_id}/payments"

    first = api.post(path, body, as_=FINANCE, headers=key)
    again = api.post(path, body, as_=FINANCE, headers=key)

    assert first.json["id"] == again.json["id"]
    assert api.get(f"/v1/contracts/{deal.contract_id}").json["outstanding"] == "45000.00"


def test_given_contracts_then_the_360_view_shows_status_and_outstanding(
    api: Any, signed: Callable[..., Deal]
) -> None:
    deal = signed()

    view = api.get(f"/v1/customers/{deal.customer_id}/360", as_=REP).json

    [section] = view["contracts"]
    assert section["status"] == "signed"
    assert section["outstanding"] == "50000.00"
    assert section["next_due_on"] == "2027-01-31"


def test_given_a_contract_then_reading_it_is_one_query_and_a_payment_one_transaction_after_a_fresh_read(
    api: Any, signed: Callable[..., Deal], dynamodb_calls: Any
) -> None:
    from collections import Counter

    deal = signed()
    with dynamodb_calls() as reads:
        api.get(f"/v1/contracts/{deal.contract_id}", as_=REP)
    body = {"amount": "100", "paid_on": "2027-01-20", "reference": "B-9"}
    with dynamodb_calls() as writes:
        api.post(f"/v1/contracts/{deal.contract_id}/payments", body, as_=FINANCE)

    assert reads == Counter({"Query": 1})
    assert writes == Counter({"Query": 1, "GetItem": 1, "TransactWriteItems": 1})


def test_given_another_payment_landing_between_read_and_write_then_both_count(
    api: Any, signed: Callable[..., Deal], monkeypatch: Any
) -> None:
    from chalicelib.contracts import store

    deal = signed()
    original = store.add_payment
    raced = []

    def add_after_a_rival(contract: Any, payment: Any, at: Any) -> None:
        if not raced:  # a rival payment of 1,000 is written first
            raced.append(True)
            rival = store.reload(contract)
            rival.paid = rival.paid + 1000
            rival.outstanding = rival.outstanding - 1000
            original(rival, store.new_payment(rival, "rival", **_payment_fields()), at)
        original(contract, payment, at)

    monkeypatch.setattr(store, "add_payment", add_after_a_rival)
    body = {"amount": "2000", "paid_on": "2027-01-20", "reference": "B-2"}

    response = api.post(f"/v1/contracts/{deal.contract_id}/payments", body, as_=FINANCE)

    assert response.status_code == 201
    contract = api.get(f"/v1/contracts/{deal.contract_id}").json
    assert contract["paid"] == "3000.00"
    assert contract["outstanding"] == "47000.00"


def _payment_fields() -> dict[str, Any]:
    from datetime import UTC, datetime
    from decimal import Decimal

    return {
        "amount": Decimal(1000),
        "paid_on": "2027-01-19",
        "reference": "R",
        "recorded_by": "fay",
        "recorded_at": datetime(2027, 1, 19, tzinfo=UTC),
    }
