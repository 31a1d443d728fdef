"""Who may do what with a contract, per route: the owner's side, admins, legal (read, edit
drafts), finance (read, plans and payments); another rep finds nothing (404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import PLAN, TERMS, Deal

REP_B = ("bea", "sales_rep")
PAYMENT = {"amount": "100", "paid_on": "2027-01-20", "reference": "B-1"}
ROUTES = [
    ("GET", "", None),
    ("GET", "/document", None),
    ("PATCH", "", TERMS),
    ("POST", "/approval", None),
    ("POST", "/signature", {"signed_on": "2026-12-20"}),
    ("PUT", "/plan", PLAN),
    ("POST", "/payments", PAYMENT),
    ("GET", "/payments", None),
]


def test_given_rep_a_s_contract_when_rep_b_asks_on_any_route_then_it_is_not_found(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win(owner="rob")

    statuses = {
        f"{method} {suffix}": api.call(
            method, f"/v1/contracts/{deal.contract_id}{suffix}", body, as_=REP_B
        ).status_code
        for method, suffix, body in ROUTES
    }

    assert statuses == {f"{method} {suffix}": 404 for method, suffix, _ in ROUTES}


def test_given_a_role_outside_contracts_then_a_contract_is_not_found(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win()

    statuses = [
        api.get(f"/v1/contracts/{deal.contract_id}", as_=("val", role)).status_code
        for role in ("marketing", "service_agent", "viewer")
    ]

    assert statuses == [404, 404, 404]


def test_given_the_owner_s_team_manager_then_they_read_and_edit_it(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win(owner="rob", team="east")
    manager = ("max", "sales_manager")

    assert api.get(f"/v1/contracts/{deal.contract_id}", as_=manager, team="east").status_code == 200
    patched = api.patch(f"/v1/contracts/{deal.contract_id}", TERMS, as_=manager, team="east")
    assert patched.status_code == 200
    other = api.get(f"/v1/contracts/{deal.contract_id}", as_=manager, team="west")
    assert other.status_code == 404


def test_given_legal_then_they_edit_a_draft_but_not_one_awaiting_approval(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win()
    legal = ("lea", "legal")

    assert api.patch(f"/v1/contracts/{deal.contract_id}", TERMS, as_=legal).status_code == 200
    api.post(f"/v1/contracts/{deal.contract_id}/approval", as_=("rob", "sales_rep"))
    later = api.patch(f"/v1/contracts/{deal.contract_id}", {"title": "New"}, as_=legal)
    assert later.status_code == 403


OWNER_ACTIONS = [
    ("PATCH", "", TERMS),
    ("POST", "/approval", None),
    ("POST", "/signature", {"signed_on": "2026-12-20"}),
]


def test_given_legal_then_they_neither_ask_for_approval_nor_sign(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win()

    statuses = [
        api.call(m, f"/v1/contracts/{deal.contract_id}{s}", b, as_=("lea", "legal")).status_code
        for m, s, b in OWNER_ACTIONS[1:]
    ]

    assert statuses == [403, 403]


def test_given_finance_then_they_may_not_change_terms_ask_for_approval_or_sign(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win()

    statuses = [
        api.call(m, f"/v1/contracts/{deal.contract_id}{s}", b, as_=("fay", "finance")).status_code
        for m, s, b in OWNER_ACTIONS
    ]

    assert statuses == [403, 403, 403]


def test_given_the_owner_then_they_may_not_record_a_payment(
    api: Any, signed: Callable[..., Deal]
) -> None:
    deal = signed()

    response = api.post(
        f"/v1/contracts/{deal.contract_id}/payments", PAYMENT, as_=("rob", "sales_rep")
    )

    assert response.status_code == 403


def test_given_finance_then_they_read_contracts_and_payments_and_set_plans(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win()
    finance = ("fay", "finance")

    assert api.get(f"/v1/contracts/{deal.contract_id}", as_=finance).status_code == 200
    assert api.get(f"/v1/contracts/{deal.contract_id}/payments", as_=finance).status_code == 200
    assert api.put(f"/v1/contracts/{deal.contract_id}/plan", PLAN, as_=finance).status_code == 200


def test_given_finance_then_the_360_view_shows_contracts_without_conversation_text(
    api: Any, signed: Callable[..., Deal]
) -> None:
    deal = signed()
    api.post(
        f"/v1/customers/{deal.customer_id}/interactions",
        {"kind": "call", "channel": "phone", "direction": "inbound", "text": "Secret price talk"},
        as_=("rob", "sales_rep"),
    )

    view = api.get(f"/v1/customers/{deal.customer_id}/360", as_=("fay", "finance"))

    assert view.status_code == 200
    assert view.json["contracts"][0]["payment_status"] == "on_track"
    assert "Secret price talk" not in view.body.decode()


def test_given_another_tenant_then_the_contract_is_not_found(
    api: Any, win: Callable[..., Deal]
) -> None:
    deal = win()

    assert api.get(f"/v1/contracts/{deal.contract_id}", tenant="other").status_code == 404


def test_given_a_customer_seen_by_a_rep_whose_colleague_owns_the_deal_then_the_360_hides_figures(
    api: Any, win: Callable[..., Deal], customer_maker: Callable[..., Any]
) -> None:
    customer = customer_maker(owner_id="bea", team_id="east")
    deal = win(owner="rob", customer=customer)

    [section] = api.get(f"/v1/customers/{customer.customer_id}/360", as_=REP_B).json["contracts"]

    assert section["id"] == deal.contract_id
    assert section["status"] == "draft"
    assert section["value"] is None
    assert section["title"] is None
